"""Subscriber portal: my consents (152-FZ), give and withdraw marketing ones.

The pages only parse and render; the register's rules live in
``telecom.consent`` (``_portal_overview``, ``_portal_give``,
``_portal_withdraw``), called as the portal user under the portal record rules:
a consent of somebody else answers like one that does not exist.
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class TelecomConsentPortal(CustomerPortal):
    @http.route(["/my/consents"], type="http", auth="user", website=True)
    def portal_my_telecom_consents(self, telecom_saved=None, **kw):
        return self._render_telecom_consents(saved=bool(telecom_saved))

    @http.route(
        ["/my/consents/give"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_telecom_consent_give(self, purpose=None, **kw):
        try:
            request.env["telecom.consent"]._portal_give(purpose)
        except AccessError:
            return request.redirect("/my/consents")
        except UserError as error:
            return self._render_telecom_consents(error=error.args[0])
        return request.redirect("/my/consents?telecom_saved=1")

    @http.route(
        ["/my/consents/<int:consent_id>/withdraw"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_telecom_consent_withdraw(self, consent_id, **kw):
        consent = request.env["telecom.consent"].browse(consent_id)
        try:
            consent._portal_withdraw()
        except (AccessError, MissingError):
            return request.redirect("/my/consents")
        except UserError as error:
            return self._render_telecom_consents(error=error.args[0])
        return request.redirect("/my/consents?telecom_saved=1")

    def _render_telecom_consents(self, saved=False, error=None):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_consents",
                "telecom_consents": request.env["telecom.consent"]._portal_overview(),
                "telecom_saved": saved,
                "error": error,
            }
        )
        return request.render("telecom_subscriber.portal_my_telecom_consents", values)
