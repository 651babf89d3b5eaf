from . import telecom_b2b_contact_role
from . import res_partner
from . import res_partner_hierarchy
from . import telecom_b2b_contract
from . import telecom_b2b_contract_renewal
from . import telecom_b2b_contract_price
from . import telecom_b2b_contract_sla
