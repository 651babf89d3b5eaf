from . import telecom_sla_report
