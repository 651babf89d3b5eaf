from . import test_ab_statistics
from . import test_ab_assignment
from . import test_metric
from . import test_segment
from . import test_segment_property
from . import test_segment_nested
from . import test_access
from . import test_retention
