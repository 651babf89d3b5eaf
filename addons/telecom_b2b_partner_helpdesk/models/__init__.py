from . import telecom_b2b_contract_sla
from . import telecom_sla_policy
from . import helpdesk_ticket
