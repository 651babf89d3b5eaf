from . import test_sla_deadlines
from . import test_sla_clock
from . import test_escalation_routing
from . import test_incident
from . import test_access
from . import test_report
from . import test_portal
from . import test_timeline
