from . import portal_commission
from . import portal_agent
from . import portal
