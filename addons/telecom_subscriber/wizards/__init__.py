from . import telecom_request_refuse
