from collections import defaultdict

from odoo import api, fields, models

# timeline channel of the ticket -> channel of the survey answer
SURVEY_CHANNELS = {
    "call": "call",
    "chat": "chat",
    "messenger": "chat",
    "email": "email",
    "sms": "sms",
    "portal": "portal",
    "shop": "shop",
}


class HelpdeskTicket(models.Model):
    """The subscriber's rating of a ticket is a CSAT answer of the metrics, their
    recommendation score (asked on the portal after closure) an NPS answer."""

    _inherit = "helpdesk.ticket"

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._telecom_record_csat()
        tickets._telecom_record_nps()
        return tickets

    def write(self, vals):
        result = super().write(vals)
        if vals.get("telecom_satisfaction"):
            self._telecom_record_csat()
        if vals.get("telecom_recommendation"):
            self._telecom_record_nps()
        return result

    def _telecom_record_csat(self):
        self._telecom_record_answers("csat", "telecom_satisfaction")

    def _telecom_record_nps(self):
        self._telecom_record_answers("nps", "telecom_recommendation")

    def _telecom_record_answers(self, kind, field_name):
        """Record the satisfaction (or recommendation) of the tickets of
        subscribers as CSAT (or NPS) answers (reference: the ticket number): one
        answer per ticket and kind, updated when the score changes; one search,
        one create and one write per score."""
        tickets = self.filtered(
            lambda ticket: (
                ticket[field_name]
                and ticket.commercial_partner_id.telecom_is_subscriber
            )
        )
        if not tickets:
            return
        # sudo: the agent who records the rating is not a marketer; the answer
        # follows the ticket they may edit
        Answer = self.env["telecom.satisfaction.answer"].sudo()
        references = {ticket: ticket.number for ticket in tickets}
        existing = {
            answer.source_reference: answer
            for answer in Answer.search(
                [
                    ("kind", "=", kind),
                    ("source_reference", "in", list(references.values())),
                ]
            )
        }
        now = fields.Datetime.now()
        to_create, to_update = [], defaultdict(lambda: Answer)
        for ticket, reference in references.items():
            score = int(ticket[field_name])
            answer = existing.get(reference)
            if not answer:
                to_create.append(
                    {
                        "partner_id": ticket.commercial_partner_id.id,
                        "kind": kind,
                        "score": score,
                        "date": now,
                        "channel": SURVEY_CHANNELS.get(
                            ticket.channel_id.telecom_channel
                        ),
                        "source_reference": reference,
                    }
                )
            elif answer.score != score:
                to_update[score] |= answer
        Answer.create(to_create)
        for score, answers in to_update.items():
            answers.write({"score": score, "date": now})
