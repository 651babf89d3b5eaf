from . import portal
from . import subscriber_api
