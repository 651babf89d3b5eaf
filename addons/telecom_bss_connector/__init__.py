from . import adapters
from . import controllers
from . import models
from . import wizards
from .hooks import uninstall_hook
