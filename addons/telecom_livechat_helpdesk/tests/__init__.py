from . import test_livechat_ticket
