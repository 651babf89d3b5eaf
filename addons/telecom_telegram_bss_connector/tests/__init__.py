from . import test_balance
