from . import test_linking
from . import test_commands
from . import test_sending
from . import test_access
from . import test_webhook
