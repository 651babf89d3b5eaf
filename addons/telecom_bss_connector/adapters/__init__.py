from . import base
from . import rest_billing
from . import soap_billing
