from odoo import api, fields, models
from odoo.exceptions import UserError

CONSENT_PURPOSES = [
    ("service", "Service Delivery"),
    ("marketing_email", "Marketing by E-mail"),
    ("marketing_sms", "Marketing by SMS"),
    ("marketing_call", "Marketing by Phone Call"),
    ("third_party", "Processing by Third Parties"),
    ("cross_border", "Cross-Border Transfer"),
]
# the purposes a subscriber gives and withdraws on the portal
MARKETING_PURPOSES = ("marketing_email", "marketing_sms", "marketing_call")
# the contact policy's channels and the consent each one needs for marketing
CHANNEL_PURPOSES = {"email": "marketing_email", "sms": "marketing_sms"}
CONSENT_SOURCES = [
    ("contract", "Contract"),
    ("portal", "Customer Portal"),
    ("shop", "Shop"),
    ("call", "Phone Call"),
    ("import", "Import"),
    ("agent", "Agent"),
]
CONSENT_STATES = [("given", "Given"), ("withdrawn", "Withdrawn")]
# what a recorded consent keeps: only its withdrawal changes it
WITHDRAWAL_FIELDS = {"state", "date_withdrawn", "withdrawal_source", "withdrawn_by_id"}


class TelecomConsent(models.Model):
    """A subscriber's consent to one purpose of processing of personal data
    (152-FZ): the register of who agreed to what, when, from where, on which
    text, and when it was withdrawn.

    A consent is given once and withdrawn once: giving again after a withdrawal
    records a new consent, so the register keeps the whole history. At most one
    consent per subscriber and purpose is given at a time. Every change is
    tracked in the consent's chatter and journaled in the personal data audit
    log. The subscriber's marketing flags (``telecom_consent_email``,
    ``telecom_consent_sms``) that the contact policy reads are maintained from
    the given consents.
    """

    _name = "telecom.consent"
    _description = "Personal Data Consent"
    _inherit = ["mail.thread"]
    _order = "date_given desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
        tracking=True,
    )
    purpose = fields.Selection(
        CONSENT_PURPOSES, required=True, readonly=True, index=True, tracking=True
    )
    state = fields.Selection(
        CONSENT_STATES,
        string="Status",
        required=True,
        default="given",
        readonly=True,
        tracking=True,
    )
    source = fields.Selection(
        CONSENT_SOURCES,
        required=True,
        default="agent",
        readonly=True,
        tracking=True,
        help="Where the subscriber gave the consent.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        default=lambda self: self.env.user,
        readonly=True,
    )
    date_given = fields.Datetime(
        string="Given On", required=True, default=fields.Datetime.now, readonly=True
    )
    text_id = fields.Many2one(
        "telecom.consent.text",
        readonly=True,
        ondelete="restrict",
        check_company=True,
        domain="[('purpose', '=', purpose)]",
    )
    # stored: the card lists it with no query on the texts
    text_version = fields.Char(
        related="text_id.version", string="Text Version", store=True
    )
    date_withdrawn = fields.Datetime(
        string="Withdrawn On", readonly=True, tracking=True
    )
    withdrawal_source = fields.Selection(CONSENT_SOURCES, readonly=True, tracking=True)
    withdrawn_by_id = fields.Many2one(
        "res.users", string="Withdrawal Recorded By", readonly=True
    )
    is_marketing = fields.Boolean(compute="_compute_is_marketing")
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        related="partner_id.telecom_region_id",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.company,
    )

    def init(self):
        # one given consent per subscriber and purpose (partial: history stays)
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS telecom_consent_given_uniq
                   ON telecom_consent (partner_id, purpose) WHERE state = 'given'"""
        )

    @api.depends("partner_id", "purpose")
    def _compute_display_name(self):
        purposes = dict(self._fields["purpose"]._description_selection(self.env))
        for consent in self:
            consent.display_name = (
                f"{consent.partner_id.display_name}: "
                f"{purposes.get(consent.purpose, '')}"
            )

    @api.depends("purpose")
    def _compute_is_marketing(self):
        for consent in self:
            consent.is_marketing = consent.purpose in MARKETING_PURPOSES

    @api.model_create_multi
    def create(self, vals_list):
        texts = self.env["telecom.consent.text"]._current_texts(
            {vals["purpose"] for vals in vals_list if vals.get("purpose")}
        )
        for vals in vals_list:
            if not vals.get("text_id") and vals.get("purpose") in texts:
                vals["text_id"] = texts[vals["purpose"]].id
        # the consent's own fields say who recorded it, when and from where:
        # no creation message, no follower (imports create thousands)
        consents = super(
            TelecomConsent,
            self.with_context(mail_create_nosubscribe=True, mail_create_nolog=True),
        ).create(vals_list)
        consents._journal()
        return consents.with_env(self.env)

    def write(self, vals):
        if not self.env.su and set(vals) - WITHDRAWAL_FIELDS:
            raise UserError(
                self.env._(
                    "A recorded consent cannot be changed: withdraw it and record "
                    "a new one."
                )
            )
        result = super().write(vals)
        if "state" in vals:
            self._journal()
        return result

    def _journal(self):
        """A line per consent in the personal data audit log (who, when, from
        which address) beside the tracking of the chatter."""
        AuditLog = self.env["telecom.audit.log"]
        for (purpose, state), consents in self.grouped(
            lambda consent: (consent.purpose, consent.state)
        ).items():
            AuditLog._log(consents, "change", [f"consent:{purpose}:{state}"])

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_withdraw(self):
        """Withdraw these consents (a button of the front office)."""
        self._withdraw(self.env.context.get("telecom_consent_source", "agent"))
        return True

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    @api.model
    def _give(self, partners, purpose, source, text=None):
        """Record ``partners``' consent to ``purpose`` from ``source``, in one
        create; those who already gave it keep their consent. Returns the given
        consents of all ``partners``."""
        if purpose not in dict(CONSENT_PURPOSES):
            raise UserError(self.env._("Unknown consent purpose: %s", purpose))
        existing = self.search(
            [
                ("partner_id", "in", partners.ids),
                ("purpose", "=", purpose),
                ("state", "=", "given"),
            ]
        )
        missing = partners - existing.partner_id
        values = {"purpose": purpose, "source": source}
        if text:
            values["text_id"] = text.id
        return existing | self.create(
            [{**values, "partner_id": partner.id} for partner in missing]
        )

    def _withdraw(self, source):
        """Withdraw the given consents among these, at once; returns them."""
        given = self.filtered(lambda consent: consent.state == "given")
        if not given:
            return given
        given.write(
            {
                "state": "withdrawn",
                "date_withdrawn": fields.Datetime.now(),
                "withdrawal_source": source,
                "withdrawn_by_id": self.env.uid,
            }
        )
        given._apply_withdrawal()
        return given

    def _apply_withdrawal(self):
        """Hook called with the consents just withdrawn: the senders stop at once
        what they queued for these subscribers and purposes (the contact policy
        refuses the next sends already, through the subscribers' flags)."""
        self.env.flush_all()

    # ------------------------------------------------------------------
    # portal (called by controllers/portal_consent.py as the portal user)
    # ------------------------------------------------------------------
    @api.model
    def _portal_overview(self):
        """What /my/consents shows the user: a row per marketing purpose (its
        given consent and the text in force) and the history of every consent
        of their subscriber, read under the portal record rules."""
        consents = self.search(
            [("partner_id", "=", self.env.user.commercial_partner_id.id)]
        )
        given = {
            consent.purpose: consent for consent in consents if consent.state == "given"
        }
        texts = self.env["telecom.consent.text"]._current_texts(MARKETING_PURPOSES)
        labels = dict(self._fields["purpose"]._description_selection(self.env))
        return {
            "marketing": [
                {
                    "purpose": purpose,
                    "label": labels[purpose],
                    "consent": given.get(purpose, self.browse()),
                    "text": texts.get(purpose),
                }
                for purpose in MARKETING_PURPOSES
            ],
            "history": consents,
        }

    @api.model
    def _portal_give(self, purpose):
        """The portal user gives their marketing consent to ``purpose``."""
        if purpose not in MARKETING_PURPOSES:
            raise UserError(
                self.env._("This consent cannot be given here: please contact us.")
            )
        return self._give(self.env.user.commercial_partner_id, purpose, "portal")

    def _portal_withdraw(self):
        """The portal user withdraws these consents of theirs (marketing only:
        the record rules refuse any other)."""
        self.check_access("write")
        if not all(self.mapped("is_marketing")):
            raise UserError(
                self.env._("This consent cannot be withdrawn here: please contact us.")
            )
        return self._withdraw("portal")
