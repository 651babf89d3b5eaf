from . import telecom_pbx
from . import telecom_cti_queue
from . import telecom_cti_call
from . import telecom_cti_originate
from . import telecom_interaction
from . import res_users
from . import res_partner
from . import telecom_service
