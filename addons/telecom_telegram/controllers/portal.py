"""Portal page ``/my/telegram``: link the subscriber's Telegram.

The subscriber gets a one-time code (shown once) to send to the bot, sees the
chats linked to their account and can unlink them. The partner is always the
logged-in user's subscriber, never a value of the request.
"""

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class TelecomTelegramPortal(CustomerPortal):
    def _telegram_subscriber(self):
        """The logged-in user's subscriber, or an empty recordset."""
        partner = request.env.user.commercial_partner_id
        if request.env.user._is_public() or not partner.telecom_is_subscriber:
            return request.env["res.partner"]
        return partner

    def _telegram_render(self, partner, **values):
        bot = request.env["telecom.telegram.link.code"]._bot_for(partner)
        return request.render(
            "telecom_telegram.portal_my_telegram",
            {
                "page_name": "telegram",
                "telegram_partner": partner,
                "telegram_chats": partner._portal_telegram_chats(),
                "telegram_bot_username": bot.username,
                **values,
            },
        )

    @http.route("/my/telegram", type="http", auth="user", website=True)
    def portal_my_telegram(self, **kw):
        partner = self._telegram_subscriber()
        if not partner:
            return request.redirect("/my")
        return self._telegram_render(partner)

    @http.route(
        "/my/telegram/code",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_telegram_code(self, **kw):
        partner = self._telegram_subscriber()
        if not partner:
            return request.redirect("/my")
        code, plain = partner._portal_telegram_issue_code()
        return self._telegram_render(
            partner, telegram_code=plain, telegram_code_expires=code.expires_at
        )

    @http.route(
        "/my/telegram/unlink/<int:chat_id>",
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_telegram_unlink(self, chat_id, **kw):
        partner = self._telegram_subscriber()
        if partner:
            partner._portal_telegram_unlink(chat_id)
        return request.redirect("/my/telegram")
