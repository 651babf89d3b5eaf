from . import telecom_alarm
from . import telecom_incident
from . import helpdesk_ticket_stage
from . import helpdesk_ticket
from . import telecom_api
