from . import numbering
from . import billing_csv
from . import sql
