from . import telecom_incident_link
from . import telecom_sla_breach_report
