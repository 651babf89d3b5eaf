from . import telecom_smsc_account
from . import telecom_smsc_message
from . import telecom_smsc_message_part
from . import sms_sms
