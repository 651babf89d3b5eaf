from . import test_contract_sla
