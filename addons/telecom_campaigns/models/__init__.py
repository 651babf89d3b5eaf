from . import telecom_subscriber_metric
from . import telecom_segment
from . import telecom_segment_condition
from . import telecom_segment_member
from . import telecom_segment_snapshot
from . import telecom_ab_test
from . import telecom_ab_variant
from . import res_partner
