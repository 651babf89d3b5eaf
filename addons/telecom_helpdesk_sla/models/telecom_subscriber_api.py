from odoo import api, models
from odoo.exceptions import ValidationError

from odoo.addons.telecom_subscriber.tools.subscriber_api import API_BASE, ApiError


def iso(value):
    """A datetime as ISO 8601 UTC, or None."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


class TelecomSubscriberApi(models.AbstractModel):
    """The subscriber API's trouble tickets (TMF621-like: list, one, rating)
    and incident notices, with the portal's rules."""

    _inherit = "telecom.subscriber.api"

    @api.model
    def _api_ticket_domain(self):
        """The caller's subscriber's tickets (record rules apply too)."""
        return [("partner_id", "child_of", self.env.user.commercial_partner_id.id)]

    @api.model
    def _api_tickets(self, base_url, offset, limit):
        tickets, total = self._api_page(
            "helpdesk.ticket", self._api_ticket_domain(), offset, limit, "id desc"
        )
        return [self._api_ticket_dict(ticket, base_url) for ticket in tickets], total

    @api.model
    def _api_ticket(self, ticket_id):
        return self._api_get("helpdesk.ticket", self._api_ticket_domain(), ticket_id)

    @api.model
    def _api_ticket_dict(self, ticket, base_url):
        # sudo: fields of a ticket the caller just read with their own rights
        # (stage and category names are not all readable by portal users)
        shown = ticket.sudo()
        return {
            "id": str(ticket.id),
            "href": f"{base_url}{API_BASE}/troubleTicket/{ticket.id}",
            "externalId": shown.number or "",
            "name": shown.name or "",
            "status": "closed" if shown.closed else "inProgress",
            "statusLabel": shown.stage_id.name or "",
            "ticketType": shown.category_id.name or "",
            "creationDate": iso(shown.create_date),
            "lastUpdate": iso(shown.write_date),
            "resolutionDate": iso(shown.closed_date),
            "rating": {
                "canRate": ticket._portal_can_rate(),
                "satisfaction": int(shown.telecom_satisfaction)
                if shown.telecom_satisfaction
                else None,
                "recommendation": int(shown.telecom_recommendation)
                if shown.telecom_recommendation
                else None,
                "ratedDate": iso(shown.telecom_rated_date),
            },
            "@type": "TroubleTicket",
        }

    @api.model
    def _api_rate_ticket(self, ticket_id, payload):
        """Rate the caller's closed ticket once. 400: a score off its scale or
        a bad body; 409: not closed, already rated, not the subscriber's."""
        ticket = self._api_ticket(ticket_id)
        satisfaction = payload.get("satisfaction")
        recommendation = payload.get("recommendation")
        if not self._api_is_score(satisfaction) or not (
            recommendation is None or self._api_is_score(recommendation)
        ):
            raise self._api_bad_body(
                self.env._(
                    "satisfaction (1 to 5) is required and recommendation "
                    "(0 to 10) optional, as whole numbers."
                )
            )
        if not ticket._portal_can_rate():
            raise ApiError(
                409,
                "CONFLICT",
                self.env._("Conflict"),
                self.env._("This ticket cannot be rated: it is open or already rated."),
            )
        try:
            ticket._portal_rate(satisfaction, recommendation)
        except ValidationError as error:
            raise self._api_bad_body(error.args[0]) from error
        return ticket

    @api.model
    def _api_is_score(self, value):
        return isinstance(value, int) and not isinstance(value, bool)

    @api.model
    def _api_incident_notices(self, base_url):
        """Open network incidents affecting the caller's subscriber."""
        partner = self.env.user.partner_id.commercial_partner_id
        incidents = self.env["telecom.incident"]._portal_incidents(partner)
        return [
            {
                "id": str(incident.id),
                "href": f"{base_url}{API_BASE}/incidentNotice",
                "name": incident.name or "",
                "description": incident.public_message or "",
                "startDate": iso(incident.date_start),
                "expectedRestoreDate": iso(incident.date_estimated_end),
                "@type": "IncidentNotice",
            }
            for incident in incidents
        ]
