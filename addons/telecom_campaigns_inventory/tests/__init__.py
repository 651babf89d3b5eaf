from . import test_device_figures
