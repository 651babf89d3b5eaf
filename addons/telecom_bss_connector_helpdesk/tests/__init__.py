from . import test_alarm_incident
