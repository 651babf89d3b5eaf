from . import telecom_request_refuse
from . import telecom_kpi_export
