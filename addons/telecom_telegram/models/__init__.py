from . import telecom_telegram_bot
from . import telecom_telegram_chat
from . import telecom_telegram_link_code
from . import telecom_telegram_message
from . import telecom_interaction
from . import res_partner
