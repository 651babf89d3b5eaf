from . import telecom_request_refuse
from . import telecom_kpi_export
from . import telecom_personal_data_register_export
from . import telecom_retention_preview
from . import telecom_retention_preview_line
