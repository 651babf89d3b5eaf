from . import numbering
