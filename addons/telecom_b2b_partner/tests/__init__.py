from . import test_tax_ids
from . import test_hierarchy
from . import test_access
from . import test_contract_lifecycle
from . import test_contract_renewal
from . import test_forms
from . import test_menus_b2b
from . import test_sales
