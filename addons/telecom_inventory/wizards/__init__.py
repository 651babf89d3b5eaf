from . import telecom_number_load
from . import telecom_sim_load
from . import telecom_device_assign
