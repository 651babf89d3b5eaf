from . import helpdesk_ticket
from . import discuss_channel
from . import telecom_interaction
