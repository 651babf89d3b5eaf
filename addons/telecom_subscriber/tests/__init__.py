from odoo import http

from . import test_numbering
from . import test_lifecycle
from . import test_tracking_batch
from . import test_porting
from . import test_claim
from . import test_access
from . import test_audit
from . import test_interaction
from . import test_subscriber_card
from . import test_portal
from . import test_tour
from . import test_import
from . import test_request_fulfilment
from . import test_event_feed
from . import test_menus_by_role
from . import test_contact_policy
from . import test_import_usage
from . import test_billing_events
from . import test_kpi
from . import test_portal_self_service
from . import test_workspace
from . import test_subscriber_api
from . import test_subscriber_api_fuzz
from . import test_demo_language
from . import test_residency
from . import test_analytics_export
from . import test_document_masking
from . import test_front_office_processes
from . import test_tour_owner_change
from . import test_personal_data_register
from . import test_retention
from . import test_subject_request
from . import test_subject_request_portal
from . import test_pd_incident
from . import test_consent
from . import test_portal_consent

# Odoo's web server maps the static directories of the addons path on the first
# request for a static file, reading the manifest of every module there. An Odoo
# run that only tests (nothing installed or updated, e.g. the post_install parts
# of tools/test) has not read them yet when a browser test sends its first
# requests all at once, and CPython 3.11's parser, called from several threads,
# may then fail one of them ("SystemError: AST constructor recursion depth
# mismatch", an error logged outside the tests). Made here, once, while Odoo
# collects the tests, before any of them starts.
STATIC_DIRECTORIES = http.root.statics
