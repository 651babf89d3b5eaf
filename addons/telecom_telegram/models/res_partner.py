from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_datetime


class ResPartner(models.Model):
    _inherit = "res.partner"

    telegram_chat_ids = fields.One2many(
        "telecom.telegram.chat", "partner_id", string="Telegram Chats", readonly=True
    )

    def action_telegram_issue_code(self):
        """Agent, on the card: a one-time code the subscriber sends to the bot
        (``/link <code>``), shown once in a dialog."""
        self.ensure_one()
        if not self.env.user.has_group(
            "telecom_subscriber.telecom_subscriber_group_user"
        ):
            raise AccessError(self.env._("Only telecom agents may issue codes."))
        self.check_access("read")  # the subscriber is in the agent's zones
        partner = self.commercial_partner_id
        code, plain = self.env["telecom.telegram.link.code"]._issue(partner, "agent")
        # shown once, never stored: only the code's keyed hash is kept
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "sticky": True,
                "title": self.env._("Telegram linking code"),
                "message": self.env._(
                    "Code for %(name)s: %(code)s (valid until %(date)s). The "
                    "subscriber sends /link %(code)s to the bot.",
                    name=partner.name,
                    code=plain,
                    date=format_datetime(self.env, code.expires_at, dt_format="short"),
                ),
            },
        }

    def action_view_telegram_chats(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_telegram.telecom_telegram_chat_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        return action

    def _portal_telegram_issue_code(self):
        """Portal: a code for the subscriber of the logged-in user (``self``
        is the user's commercial partner, never a partner from the request)."""
        self.ensure_one()
        return self.env["telecom.telegram.link.code"]._issue(self, "portal")

    def _portal_telegram_chats(self):
        # sudo: portal users have no access to chats; these are the chats
        # linked to their own subscriber (self is their commercial partner)
        return (
            self.env["telecom.telegram.chat"]
            .sudo()
            .search([("partner_id", "=", self.id)])
        )

    def _portal_telegram_unlink(self, chat_id):
        """Portal: unlink one of the subscriber's own chats; False otherwise."""
        self.ensure_one()
        chat = self._portal_telegram_chats().filtered(lambda c: c.id == chat_id)
        if not chat:
            return False
        chat._telegram_unlink()
        return True
