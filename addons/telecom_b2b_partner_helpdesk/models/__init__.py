from . import telecom_b2b_contract_sla
from . import telecom_sla_policy
from . import helpdesk_ticket
from . import telecom_b2b_contract
from . import telecom_b2b_credit_statement
from . import telecom_b2b_credit_statement_figures
from . import telecom_b2b_credit_statement_line
