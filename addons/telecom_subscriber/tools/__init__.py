from . import numbering
from . import billing_csv
