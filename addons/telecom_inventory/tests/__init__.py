from . import test_number_pool
from . import test_sim_stock
from . import test_inventory_access
from . import test_concurrent_sim
from . import test_menus_inventory
from . import test_port_in
from . import test_number_change
from . import test_device
