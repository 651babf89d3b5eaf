import re
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import hmac as odoo_hmac

# no 0/O, 1/I/L: a code read aloud or copied by hand stays unambiguous
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
HMAC_SCOPE = "telecom_telegram.link_code"


def normalize_code(text):
    """The code as stored: upper case, letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())[:32]


class TelecomTelegramLinkCode(models.Model):
    """A one-time code that links a Telegram chat to a subscriber.

    Issued in the portal by the subscriber or on the card by an agent; shown
    once (only its keyed hash is stored), valid ``code_validity`` minutes,
    used once (the redeeming UPDATE is conditional on the code being still
    unused), and issuing a new code revokes the subscriber's earlier ones.
    Wrong codes are counted per chat (see ``telecom.telegram.chat``).
    """

    _name = "telecom.telegram.link.code"
    _description = "Telegram Linking Code"
    _order = "id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    code_hash = fields.Char(required=True, readonly=True, index=True, copy=False)
    expires_at = fields.Datetime(required=True, readonly=True)
    state = fields.Selection(
        [("active", "Valid"), ("used", "Used"), ("revoked", "Replaced")],
        required=True,
        default="active",
        readonly=True,
    )
    issued_from = fields.Selection(
        [("portal", "Portal"), ("agent", "Agent")], required=True, readonly=True
    )
    issued_by_id = fields.Many2one("res.users", readonly=True)
    used_date = fields.Datetime(readonly=True)
    chat_id = fields.Many2one(
        "telecom.telegram.chat",
        string="Linked Chat",
        readonly=True,
        ondelete="set null",
    )
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        related="partner_id.telecom_region_id",
        store=True,
        index=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    is_expired = fields.Boolean(compute="_compute_is_expired")

    def _compute_is_expired(self):
        now = fields.Datetime.now()
        for code in self:
            code.is_expired = code.state == "active" and code.expires_at <= now

    @api.model
    def _hash(self, code):
        return odoo_hmac(self.env(su=True), HMAC_SCOPE, normalize_code(code))

    @api.model
    def _new_code(self):
        return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))

    @api.model
    def _display_code(self, code):
        return f"{code[:4]}-{code[4:]}"

    @api.model
    def _issue(self, partner, issued_from):
        """A new code for ``partner`` (the caller checked who may ask for it);
        returns ``(code record, plain code)``: the plain code is never stored.
        The partner's earlier unused codes are revoked."""
        partner.ensure_one()
        bot = self._bot_for(partner)
        validity = bot.code_validity if bot else 15
        # sudo: codes are the system's records; callers check who may ask
        codes = self.sudo()
        codes.search([("partner_id", "=", partner.id), ("state", "=", "active")]).write(
            {"state": "revoked"}
        )
        code = self._new_code()
        record = codes.create(
            {
                "partner_id": partner.id,
                "code_hash": self._hash(code),
                "expires_at": fields.Datetime.now() + timedelta(minutes=validity),
                "issued_from": issued_from,
                "issued_by_id": self.env.uid,
                "company_id": (
                    partner.company_id or bot.company_id or self.env.company
                ).id,
            }
        )
        return record, self._display_code(code)

    @api.model
    def _bot_for(self, partner):
        company = partner.company_id or self.env.company
        return (
            self.env["telecom.telegram.bot"]
            .sudo()
            .search([("company_id", "in", (company | self.env.company).ids)], limit=1)
        )

    @api.model
    def _telegram_redeem(self, code, chat, now):
        """Use ``code`` for ``chat``: the code record when it was valid (it is
        used from now on), else an empty recordset. Single use even when two
        chats send the same code at once: the UPDATE only takes an active,
        unexpired code, and only one transaction can."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_telegram_link_code
                      SET state = 'used', used_date = %(now)s, chat_id = %(chat)s,
                          write_uid = %(uid)s, write_date = %(now)s
                    WHERE code_hash = %(hash)s
                      AND state = 'active'
                      AND expires_at > %(now)s
                      AND company_id = %(company)s
                RETURNING id""",
                now=now,
                chat=chat.id,
                uid=self.env.uid,
                hash=self._hash(code),
                company=chat.company_id.id,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["state", "used_date", "chat_id"])
        # sudo: the code proved the chat's right to the partner it names
        return self.sudo().browse(ids[:1])
