from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.helpdesk_mgmt.controllers.myaccount import CustomerPortalHelpdesk
from odoo.addons.portal.controllers.portal import CustomerPortal


class TelecomIncidentPortal(CustomerPortal):
    """Portal pages show the open incidents affecting the subscriber."""

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        user = request.env.user
        if user._is_portal():
            values["telecom_incidents"] = request.env[
                "telecom.incident"
            ]._portal_incidents(user.partner_id.commercial_partner_id)
        return values


class TelecomTicketRatingPortal(CustomerPortalHelpdesk):
    """The subscriber rates a closed ticket (1-5) and answers the recommendation
    question (0-10) from the ticket's portal page, once.

    What may be rated lives in ``helpdesk.ticket._portal_rate``; a ticket that is
    not the user's and one that does not exist both redirect to /my.
    """

    @http.route(
        ["/my/ticket/<int:ticket_id>/rate"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_ticket_rate(self, ticket_id, **post):
        ticket = request.env["helpdesk.ticket"].browse(ticket_id)
        try:
            ticket._portal_rate(post.get("satisfaction"), post.get("recommendation"))
        except (AccessError, MissingError):
            return request.redirect("/my")
        except UserError as error:  # ValidationError too
            # sudo: the ticket was just read with the user's rights
            values = self._ticket_get_page_view_values(ticket.sudo(), None)
            values.update(telecom_rating_error=error.args[0], telecom_rating_form=post)
            return request.render("helpdesk_mgmt.portal_helpdesk_ticket_page", values)
        return request.redirect(f"/my/ticket/{ticket_id}?telecom_rated=1")

    def _ticket_get_page_view_values(self, ticket, access_token, **kwargs):
        values = super()._ticket_get_page_view_values(ticket, access_token, **kwargs)
        values["telecom_can_rate"] = (
            request.env["helpdesk.ticket"].browse(ticket.id)._portal_can_rate()
        )
        return values
