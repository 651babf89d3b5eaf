from odoo import api, fields, models
from odoo.exceptions import ValidationError

SATISFACTION_KINDS = [("nps", "NPS (0-10)"), ("csat", "CSAT (1-5)")]
# the scale of each kind of answer
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5)}
SURVEY_CHANNELS = [
    ("sms", "SMS"),
    ("email", "Email"),
    ("call", "Call"),
    ("ivr", "IVR"),
    ("portal", "Portal / App"),
    ("chat", "Chat"),
    ("shop", "Shop Visit"),
]


class TelecomSatisfactionAnswer(models.Model):
    """One answer of a subscriber to a satisfaction survey: an NPS score
    (0-10, "would you recommend us?") or a CSAT score (1-5).

    Answers are imported from the survey tools (list view, Import) or created
    by integrations; the metrics refresh reads the last NPS score and the CSAT
    average of the last 90 days (see ``telecom.subscriber.metric``).
    """

    _name = "telecom.satisfaction.answer"
    _description = "Satisfaction Answer"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain=[("telecom_is_subscriber", "=", True)],
    )
    kind = fields.Selection(
        SATISFACTION_KINDS, string="Survey", required=True, default="nps"
    )
    score = fields.Integer(
        required=True, help="NPS: 0 to 10 (0-6 detractor, 9-10 promoter). CSAT: 1 to 5."
    )
    date = fields.Datetime(
        string="Answered On", required=True, default=fields.Datetime.now, index=True
    )
    channel = fields.Selection(SURVEY_CHANNELS)
    comment = fields.Text()
    source_reference = fields.Char(
        index="btree_not_null",
        copy=False,
        help="Identifier of the answer in the survey tool (or the ticket, call... "
        "it follows): an answer is recorded once per reference and survey.",
    )
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        related="partner_id.telecom_region_id",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
    )

    @api.depends("partner_id")
    def _compute_company_id(self):
        for answer in self:
            answer.company_id = answer.partner_id.company_id or answer.company_id

    @api.depends("partner_id", "kind", "score")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for answer in self:
            answer.display_name = self.env._(
                "%(subscriber)s: %(kind)s %(score)s",
                subscriber=answer.partner_id.display_name or "",
                kind=kinds.get(answer.kind, ""),
                score=answer.score,
            )

    @api.constrains("kind", "score")
    def _check_score(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for answer in self:
            low, high = SCORE_RANGES[answer.kind]
            if not low <= answer.score <= high:
                raise ValidationError(
                    self.env._(
                        "A %(kind)s score is between %(low)s and %(high)s, "
                        "not %(score)s (%(subscriber)s).",
                        kind=kinds[answer.kind],
                        low=low,
                        high=high,
                        score=answer.score,
                        subscriber=answer.partner_id.display_name,
                    )
                )

    @api.constrains("source_reference", "kind")
    def _check_source_reference(self):
        answers = self.filtered("source_reference")
        if not answers:
            return
        # sudo: a reference is recorded once whatever the zones of the reader
        recorded = {
            (answer.source_reference, answer.kind)
            for answer in self.sudo().search(
                [
                    ("source_reference", "in", answers.mapped("source_reference")),
                    ("id", "not in", answers.ids),
                ]
            )
        }
        seen = set()
        for answer in answers:
            key = (answer.source_reference, answer.kind)
            if key in recorded or key in seen:
                raise ValidationError(
                    self.env._(
                        "The survey answer %(reference)s was already recorded.",
                        reference=answer.source_reference,
                    )
                )
            seen.add(key)

    @api.constrains("partner_id")
    def _check_subscriber(self):
        others = self.filtered(
            lambda answer: not answer.partner_id.telecom_is_subscriber
        )
        if others:
            raise ValidationError(
                self.env._(
                    "%(partner)s is not a subscriber: only subscribers answer "
                    "satisfaction surveys.",
                    partner=others[0].partner_id.display_name,
                )
            )
