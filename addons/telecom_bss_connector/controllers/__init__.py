from . import common
from . import tmf642
from . import billing_events
from . import openapi
from . import portal
from . import subscriber_api
