from . import test_alarm_incident
from . import test_tmf621
