from odoo import api, fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    """The e-mail and phone blacklist flags of the card in one query."""

    _inherit = "res.partner"

    # one compute for the four flags (Odoo has one per blacklist, and the phone
    # blacklist's search formats each number again with the user's and the
    # company's country first: six queries on every card instead of one)
    is_blacklisted = fields.Boolean(compute="_compute_telecom_blacklists")
    phone_sanitized_blacklisted = fields.Boolean(compute="_compute_telecom_blacklists")
    phone_blacklisted = fields.Boolean(compute="_compute_telecom_blacklists")
    mobile_blacklisted = fields.Boolean(compute="_compute_telecom_blacklists")

    @api.depends("email_normalized", "phone_sanitized")
    def _compute_telecom_blacklists(self):
        emails, numbers = self._telecom_blacklisted(
            [email for email in self.mapped("email_normalized") if email],
            [number for number in self.mapped("phone_sanitized") if number],
        )
        for partner in self:
            partner.is_blacklisted = partner.email_normalized in emails
        if numbers:
            # which of phone and mobile is blacklisted: Odoo's own rules
            self._compute_blacklisted()
            return
        self.phone_sanitized_blacklisted = False
        self.phone_blacklisted = False
        self.mobile_blacklisted = False

    def _telecom_blacklisted(self, emails, numbers):
        """(e-mails, numbers) among ``emails`` (normalized) and ``numbers`` (E.164,
        as phone_sanitized stores them) that are blacklisted, in one query."""
        if not emails and not numbers:
            return set(), set()
        self.env["mail.blacklist"].flush_model(["email", "active"])
        self.env["phone.blacklist"].flush_model(["number", "active"])
        self.env.cr.execute(
            SQL(
                """SELECT 'email', email FROM mail_blacklist
                    WHERE active AND email = ANY(%s)
                    UNION ALL
                   SELECT 'phone', number FROM phone_blacklist
                    WHERE active AND number = ANY(%s)""",
                emails,
                numbers,
            )
        )
        listed = {"email": set(), "phone": set()}
        for kind, value in self.env.cr.fetchall():
            listed[kind].add(value)
        return listed["email"], listed["phone"]
