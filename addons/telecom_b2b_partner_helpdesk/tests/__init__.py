from . import test_contract_sla
from . import test_credit_statement
from . import test_portal
