from . import helpdesk_ticket_stage
from . import helpdesk_ticket
from . import telecom_api
from . import telecom_api_key_wizard
