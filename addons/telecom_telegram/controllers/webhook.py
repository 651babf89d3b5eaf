"""The Telegram webhook: ``POST /telecom/telegram/<bot id>/webhook``.

Telegram sends every update of the bot here with the secret given at
``setWebhook`` in the ``X-Telegram-Bot-Api-Secret-Token`` header. The route
checks it (constant time), records the update and answers 200 at once: the
answers are made and sent by a cron, so a slow Telegram or a slow billing
never holds the webhook. Wrong secret or unknown bot: 403, nothing recorded.
"""

import json
import logging

from odoo import http
from odoo.http import request

_logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


class TelecomTelegramWebhook(http.Controller):
    @http.route(
        "/telecom/telegram/<int:bot_id>/webhook",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def telecom_telegram_webhook(self, bot_id, **kwargs):
        bot = self._api_authenticated_bot(
            bot_id, request.httprequest.headers.get(SECRET_HEADER, "")
        )
        if not bot:
            return request.make_json_response({"ok": False}, status=403)
        raw = request.httprequest.get_data(cache=False)
        if len(raw) > MAX_UPDATE_BYTES:
            return request.make_json_response({"ok": False}, status=413)
        try:
            update = json.loads(raw or b"null")
        except ValueError:
            return request.make_json_response({"ok": False}, status=400)
        bot._api_receive_update(update)
        return request.make_json_response({"ok": True})

    def _api_authenticated_bot(self, bot_id, secret):
        """The bot whose webhook secret is ``secret``, as the system (the
        webhook has no user: the secret is its authentication), or None."""
        # sudo: public route; the bot is only used once its secret matched
        bot = request.env["telecom.telegram.bot"].sudo().browse(bot_id).exists()
        if not bot or not bot.active or not bot._telegram_secret_matches(secret):
            _logger.warning("Telegram webhook: update refused for bot %s", bot_id)
            return None
        return bot
