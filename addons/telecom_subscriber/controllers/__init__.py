from . import portal
from . import subscriber_api
from . import portal_subject_request
from . import portal_consent
