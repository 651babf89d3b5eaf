from . import telecom_b2b_commission_generate
