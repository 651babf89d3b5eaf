from . import res_company
from . import res_config_settings
from . import telecom_inventory_item
from . import telecom_stock_location
from . import telecom_number
from . import telecom_sim
from . import telecom_request
from . import telecom_service
