from . import helpdesk_ticket_channel
from . import telecom_interaction
from . import telecom_telegram_chat
from . import telecom_incident
