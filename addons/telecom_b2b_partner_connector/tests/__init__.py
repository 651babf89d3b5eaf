from . import test_send_to_billing
