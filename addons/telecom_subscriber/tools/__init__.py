from . import numbering
from . import selections
from . import billing_csv
from . import sql
from . import fields
from . import subscriber_api
from . import personal_data
