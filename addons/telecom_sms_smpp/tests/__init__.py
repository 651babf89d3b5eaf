from . import test_smpp_text
from . import test_smsc_gateway
from . import test_incident_sms
