"""helpdesk_mgmt's new ticket form, for corporate contacts: the ticket is for
one of the sites they see, and optionally one of its services. Closing a
ticket from the portal checks that the user sees it."""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.main import HelpdeskTicketController


class TelecomB2bHelpdeskTicketController(HelpdeskTicketController):
    @staticmethod
    def _telecom_b2b_contact():
        partner = request.env.user.partner_id
        return partner if partner._telecom_b2b_is_corporate_contact() else None

    def _get_create_new_ticket_values(self, **kw):
        values = super()._get_create_new_ticket_values(**kw)
        contact = self._telecom_b2b_contact()
        if contact:
            sites = contact._telecom_b2b_portal_sites()
            services = request.env["telecom.service"].search(
                [("partner_id", "child_of", sites.ids)], order="name, id"
            )
            values.update(
                {
                    "telecom_b2b_sites": sites,
                    # sudo: found above under the user's record rules
                    "telecom_b2b_services": services.sudo(),
                    "telecom_b2b_site_id": str(kw.get("site_id") or ""),
                    "telecom_b2b_service_id": str(kw.get("service_id") or ""),
                    "telecom_b2b_subject": kw.get("subject") or "",
                    "telecom_b2b_description": kw.get("description") or "",
                }
            )
        return values

    @http.route()
    def support_ticket_close(self, **kw):
        """helpdesk_mgmt closes the ticket of any id in sudo: only a ticket the
        user may read is closed; another's answers as a missing one."""
        ticket_id = str(kw.get("ticket_id") or "")
        if not ticket_id.isdigit() or not request.env["helpdesk.ticket"].search_count(
            [("id", "=", int(ticket_id))]
        ):
            return request.redirect("/my")
        return super().support_ticket_close(**kw)

    @http.route()
    def submit_ticket(self, **kw):
        contact = self._telecom_b2b_contact()
        if contact:
            try:
                contact._telecom_b2b_portal_ticket_target(
                    kw.get("site_id"), kw.get("service_id")
                )
            except UserError as error:
                values = self._get_create_new_ticket_values(**kw)
                values["telecom_b2b_error"] = error.args[0]
                return request.render("helpdesk_mgmt.portal_create_ticket", values)
        return super().submit_ticket(**kw)

    def _prepare_submit_ticket_vals(self, **kw):
        vals = super()._prepare_submit_ticket_vals(**kw)
        contact = self._telecom_b2b_contact()
        if contact:
            site, service = contact._telecom_b2b_portal_ticket_target(
                kw.get("site_id"), kw.get("service_id")
            )
            vals["telecom_b2b_site_id"] = site.id
            if service:
                vals["telecom_service_id"] = service.id
        return vals
