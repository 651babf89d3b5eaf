from . import test_call_events
from . import test_call_flow
from . import test_click_to_call
from . import test_cti_access
from . import test_cti_api
from . import test_cti_tour
from . import test_connector_e2e
