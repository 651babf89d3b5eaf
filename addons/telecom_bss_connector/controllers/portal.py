"""Subscriber portal: the billing figures of a line (balance, usage, charges).

The figures come from ``telecom.service._portal_billing_summary``: the billing
snapshot refreshed live within a short budget, or the last one marked stale with
its age when billing is down or slow; the page never fails because of billing.
"""

from odoo.http import request

from odoo.addons.telecom_subscriber.controllers.portal import TelecomCustomerPortal


class TelecomBillingCustomerPortal(TelecomCustomerPortal):
    def _render_telecom_service(self, service_sudo, **kw):
        response = super()._render_telecom_service(service_sudo, **kw)
        service = request.env["telecom.service"].browse(service_sudo.id)
        response.qcontext.update(
            telecom_billing=service._portal_billing_summary(),
            telecom_billing_currency=service_sudo.company_id.currency_id,
        )
        return response
