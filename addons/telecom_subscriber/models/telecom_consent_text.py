from odoo import api, fields, models

from .telecom_consent import CONSENT_PURPOSES


class TelecomConsentText(models.Model):
    """A version of the text a subscriber agrees to for one purpose.

    A consent keeps the version it was given on: a new wording is a new version
    (the old one stays, archived or not, for the consents given on it).
    """

    _name = "telecom.consent.text"
    _description = "Consent Text"
    _order = "purpose, date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Title", required=True)
    purpose = fields.Selection(CONSENT_PURPOSES, required=True, index=True)
    version = fields.Char(required=True, default="1")
    body = fields.Text(string="Text", required=True)
    date_start = fields.Date(
        string="Valid From",
        required=True,
        default=fields.Date.context_today,
        help="The text in force for new consents is the latest valid one.",
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
    )

    _sql_constraints = [
        (
            "purpose_version_company_uniq",
            "unique (purpose, version, company_id)",
            "A consent text version exists only once per purpose and company.",
        ),
    ]

    @api.depends("name", "version")
    def _compute_display_name(self):
        for text in self:
            text.display_name = f"{text.name} (v{text.version})"

    @api.model
    def _current_texts(self, purposes, company=None):
        """``{purpose: text}`` of the texts in force for ``purposes`` today."""
        company = company or self.env.company
        texts = self.search(
            [
                ("purpose", "in", list(purposes)),
                ("date_start", "<=", fields.Date.context_today(self)),
                ("company_id", "in", [False, company.id]),
            ]
        )
        current = {}
        # ordered by purpose, newest first: the first one of each purpose wins
        for text in texts:
            current.setdefault(text.purpose, text)
        return current
