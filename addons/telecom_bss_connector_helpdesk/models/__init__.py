from . import telecom_alarm
from . import telecom_incident
