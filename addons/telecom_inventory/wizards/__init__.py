from . import telecom_number_load
from . import telecom_sim_load
