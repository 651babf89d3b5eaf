from . import test_tmf621
