from . import telecom_subscriber_metric
