from odoo import fields, models
from odoo.exceptions import UserError, ValidationError

from .sla_selections import RECOMMENDATION, SATISFACTION


class HelpdeskTicket(models.Model):
    """The subscriber rates their closed ticket on the portal (CSAT 1-5) and
    answers the recommendation question (NPS 0-10), once.

    The rating is ``telecom_satisfaction`` (the ticket CSAT KPI reads it); with
    telecom_campaigns, the bridge records both as satisfaction answers (CSAT and
    NPS KPIs).
    """

    _inherit = "helpdesk.ticket"

    telecom_recommendation = fields.Selection(
        RECOMMENDATION,
        string="Recommendation (NPS)",
        help="How likely the subscriber is to recommend us, from 0 to 10, "
        "answered after the ticket was closed.",
    )
    telecom_rated_date = fields.Datetime(string="Rated On", readonly=True, copy=False)

    def _portal_can_rate(self):
        """Whether the current user may rate this ticket now: their own
        subscriber's ticket, closed, not rated yet (False for anyone else, even
        with the ticket's access token)."""
        self.ensure_one()
        # sudo: a yes/no about the user's own ticket, shown on its page
        ticket = self.sudo()
        return bool(
            ticket.closed
            and not ticket.telecom_satisfaction
            and self._portal_is_requester()
        )

    def _portal_is_requester(self):
        """The ticket is the user's subscriber's (a follower does not rate)."""
        self.ensure_one()
        user = self.env.user
        # sudo: compares the ticket's subscriber with the user's, nothing shown
        return (
            not user._is_public()
            and self.sudo().partner_id.commercial_partner_id
            == user.commercial_partner_id
        )

    def _portal_rate(self, satisfaction, recommendation=None):
        """Record the subscriber's rating (1-5) and, when given, recommendation
        (0-10) of this closed ticket. With the caller's rights: AccessError
        (not theirs) / MissingError (absent); UserError (not closed, already
        rated); ValidationError (a score out of its scale)."""
        self.ensure_one()
        self.check_access("read")
        if not self._portal_is_requester():
            raise UserError(self.env._("Only the subscriber of a ticket rates it."))
        if not self.closed:
            raise UserError(self.env._("You can rate a ticket once it is closed."))
        if self.telecom_satisfaction:
            raise UserError(self.env._("You have already rated this ticket."))
        values = {
            "telecom_satisfaction": self._portal_score(
                satisfaction,
                SATISFACTION,
                self.env._("Choose a rating from 1 to 5."),
            ),
            "telecom_rated_date": fields.Datetime.now(),
        }
        if recommendation not in (None, ""):
            values["telecom_recommendation"] = self._portal_score(
                recommendation,
                RECOMMENDATION,
                self.env._(
                    "How likely you are to recommend us is a whole number from 0 to 10."
                ),
            )
        # sudo: portal users only read tickets; the subscriber's own closed
        # ticket (checked above) gets their rating
        self.sudo().write(values)
        return True

    def _portal_score(self, raw, scale, message):
        value = str(raw).strip()
        if value not in dict(scale):
            raise ValidationError(message)
        return value
