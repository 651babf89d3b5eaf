from . import telecom_telegram_chat
