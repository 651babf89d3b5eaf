from . import telecom_outbox
from . import telecom_b2b_credit_statement
