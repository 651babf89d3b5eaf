from . import telecom_subscriber_metric
from . import telecom_segment_condition
from . import helpdesk_ticket
