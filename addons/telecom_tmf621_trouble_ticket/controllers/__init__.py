from . import tmf621
