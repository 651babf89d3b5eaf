from . import test_outbox
from . import test_backend
from . import test_snapshot
from . import test_catalog
from . import test_api
from . import test_simulator
from . import test_tour
from . import test_request_fulfilment
