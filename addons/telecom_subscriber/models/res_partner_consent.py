from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.sql import card_ranked_ids
from .telecom_consent import CHANNEL_PURPOSES, CONSENT_SOURCES

CARD_CONSENT_LIMIT = 50
# sources of the flags before the consent register (before 18.0.1.13.0), still accepted
LEGACY_SOURCES = {
    "front_office": "agent",
    "phone_call": "call",
    "unsubscribe": "portal",
}


class ResPartner(models.Model):
    """The subscriber's consents, and the marketing flags the contact policy
    reads in SQL, maintained from them.

    ``telecom_consent_email`` and ``telecom_consent_sms`` are stored: the policy
    joins them as plain columns whatever the audience size. They are computed
    from the given consents and writable: writing one gives or withdraws the
    consent (source ``agent``, or the ``telecom_consent_source`` context key).
    """

    _inherit = "res.partner"

    telecom_consent_ids = fields.One2many(
        "telecom.consent", "partner_id", string="Consents"
    )
    telecom_card_consent_ids = fields.Many2many(
        "telecom.consent",
        string="Consents on the Card",
        compute="_compute_telecom_card",
    )
    # tracked: the chatter shows the flags change beside the consents' own trail
    telecom_consent_email = fields.Boolean(
        string="Marketing by E-mail",
        compute="_compute_telecom_consent_flags",
        inverse="_inverse_telecom_consent_email",
        store=True,
        readonly=False,
        tracking=True,
        help="The subscriber agreed to receive marketing e-mails (a given consent "
        "'Marketing by E-mail').",
    )
    telecom_consent_email_date = fields.Datetime(
        string="E-mail Consent Changed On",
        compute="_compute_telecom_consent_changes",
        store=True,
    )
    telecom_consent_email_source = fields.Selection(
        CONSENT_SOURCES,
        string="E-mail Consent Source",
        compute="_compute_telecom_consent_changes",
        store=True,
    )
    telecom_consent_sms = fields.Boolean(
        string="Marketing by SMS",
        compute="_compute_telecom_consent_flags",
        inverse="_inverse_telecom_consent_sms",
        store=True,
        readonly=False,
        tracking=True,
        help="The subscriber agreed to receive marketing SMS (a given consent "
        "'Marketing by SMS').",
    )
    telecom_consent_sms_date = fields.Datetime(
        string="SMS Consent Changed On",
        compute="_compute_telecom_consent_changes",
        store=True,
    )
    telecom_consent_sms_source = fields.Selection(
        CONSENT_SOURCES,
        string="SMS Consent Source",
        compute="_compute_telecom_consent_changes",
        store=True,
    )

    @api.depends("telecom_consent_ids.state", "telecom_consent_ids.purpose")
    def _compute_telecom_consent_flags(self):
        # a compute of its own: writing a flag protects the fields of its
        # compute from recomputation, the date and source must follow
        current = self._telecom_current_consents()
        for partner in self:
            for channel, purpose in CHANNEL_PURPOSES.items():
                consent = current.get((partner._origin.id, purpose))
                partner[f"telecom_consent_{channel}"] = (
                    bool(consent) and consent.state == "given"
                )

    @api.depends(
        "telecom_consent_ids.state",
        "telecom_consent_ids.date_given",
        "telecom_consent_ids.date_withdrawn",
    )
    def _compute_telecom_consent_changes(self):
        current = self._telecom_current_consents()
        for partner in self:
            for channel, purpose in CHANNEL_PURPOSES.items():
                consent = current.get((partner._origin.id, purpose))
                given = bool(consent) and consent.state == "given"
                partner[f"telecom_consent_{channel}_date"] = (
                    _changed_on(consent) if consent else False
                )
                partner[f"telecom_consent_{channel}_source"] = (
                    (consent.source if given else consent.withdrawal_source)
                    if consent
                    else False
                )

    def _telecom_current_consents(self):
        """``{(partner id, purpose): consent}`` for the marketing channels: the
        given consent, else the one changed last; one search for all partners
        (stored computes run as superuser: every consent of the subscriber)."""
        consents = self.env["telecom.consent"].search(
            [
                ("partner_id", "in", self._origin.ids),
                ("purpose", "in", list(CHANNEL_PURPOSES.values())),
            ],
            order="id",
        )
        current = {}
        for consent in consents:
            key = (consent.partner_id.id, consent.purpose)
            if _rank(consent) >= _rank(current.get(key)):
                current[key] = consent
        return current

    def _telecom_card_parts(self):
        """The subscriber's consents, given first, in the card's statement."""
        return super()._telecom_card_parts() + [
            card_ranked_ids(
                "consents",
                self.env["telecom.consent"],
                [("partner_id", "in", self._origin.ids)],
                "partner_id",
                lambda alias: SQL(
                    "%s = 'withdrawn', %s DESC",
                    SQL.identifier(alias, "state"),
                    SQL.identifier(alias, "id"),
                ),
                CARD_CONSENT_LIMIT,
            )
        ]

    def _telecom_card_assign(self, rows):
        result = super()._telecom_card_assign(rows)
        Consent = self.env["telecom.consent"]
        for partner in self:
            partner.telecom_card_consent_ids = Consent.browse(
                rows.get(("consents", partner._origin.id), [])
            )
        return result

    def _inverse_telecom_consent_email(self):
        self._telecom_set_marketing_consent("email")

    def _inverse_telecom_consent_sms(self):
        self._telecom_set_marketing_consent("sms")

    def _telecom_set_marketing_consent(self, channel):
        """Give or withdraw the marketing consent of ``channel`` as the flag of
        these partners says (source: context key ``telecom_consent_source``)."""
        purpose = CHANNEL_PURPOSES[channel]
        source = self.env.context.get("telecom_consent_source") or "agent"
        source = LEGACY_SOURCES.get(source, source)
        partners = self._origin
        Consent = self.env["telecom.consent"]
        consenting = partners.filtered(f"telecom_consent_{channel}")
        if consenting:
            Consent._give(consenting, purpose, source)
        refusing = partners - consenting
        if refusing:
            Consent.search(
                [
                    ("partner_id", "in", refusing.ids),
                    ("purpose", "=", purpose),
                    ("state", "=", "given"),
                ]
            )._withdraw(source)

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        source = self._telecom_pop_consent_source(vals_list)
        partners = self
        if source:
            partners = self.with_context(telecom_consent_source=source)
        return super(ResPartner, partners).create(vals_list).with_env(self.env)

    def write(self, vals):
        vals = dict(vals)
        source = self._telecom_pop_consent_source([vals])
        partners = self.with_context(telecom_consent_source=source) if source else self
        return super(ResPartner, partners).write(vals)

    @api.model
    def _telecom_pop_consent_source(self, vals_list):
        """The source written beside a flag (the form before the register):
        the consent records it, the flag's source is computed."""
        source = False
        for vals in vals_list:
            for channel in CHANNEL_PURPOSES:
                vals.pop(f"telecom_consent_{channel}_date", None)
                source = vals.pop(f"telecom_consent_{channel}_source", None) or source
        return LEGACY_SOURCES.get(source, source)

    def action_telecom_give_consent(self):
        """Record a consent of the subscriber (the Consents tab of the card)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Consent"),
            "res_model": "telecom.consent",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_partner_id": self.id},
        }


def _changed_on(consent):
    return consent.date_withdrawn or consent.date_given


def _rank(consent):
    """Order of the consents of one purpose: the given one first, then the
    latest change."""
    if not consent:
        return (False, fields.Datetime.to_datetime("1970-01-01"))
    return (consent.state == "given", _changed_on(consent))
