from . import activities
from . import api_schema
from . import mappers
