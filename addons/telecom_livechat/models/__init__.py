from . import res_company
from . import res_config_settings
from . import im_livechat_channel
from . import ir_http
from . import discuss_channel
from . import telecom_interaction
from . import telecom_request
