from datetime import timedelta

from odoo import fields

from ..tools.bot_api import TelegramRejectedError, TelegramTransientError
from .common import TelegramCommon


class TestSending(TelegramCommon):
    """Answers leave through the cron, with retries; the webhook never sends."""

    def _outbound(self):
        return self.Message.search(
            [("bot_id", "=", self.bot.id), ("direction", "=", "outbound")]
        )

    def test_webhook_only_records(self):
        with self._patched_api():
            self._say("/help")
        self.assertFalse(self.sent, "nothing is sent while Telegram waits")
        self._run()
        self.assertEqual(len(self.sent), 1)
        answer = self._outbound()
        self.assertEqual(answer.state, "sent")
        self.assertEqual(answer.telegram_message_id, 1)

    def test_transient_error_is_retried_later(self):
        self.send_error = TelegramTransientError("sendMessage: time-out")
        self._conversation("/help")
        answer = self._outbound()
        self.assertEqual(answer.state, "queued")
        self.assertEqual(answer.attempt_count, 1)
        self.assertGreater(answer.next_attempt_at, fields.Datetime.now())
        self._run()
        self.assertEqual(answer.attempt_count, 1, "not due yet")
        self.send_error = None
        answer.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self._run()
        self.assertEqual(answer.state, "sent")
        self.assertEqual(answer.attempt_count, 2)

    def test_gives_up_after_max_attempts(self):
        self.bot.max_attempts = 2
        self.send_error = TelegramTransientError("sendMessage: 502", 502)
        self._conversation("/help")
        answer = self._outbound()
        answer.next_attempt_at = fields.Datetime.now() - timedelta(seconds=1)
        self._run()
        self.assertEqual(answer.state, "failed")
        self.assertEqual(answer.attempt_count, 2)

    def test_retry_after_of_telegram_is_respected(self):
        self.send_error = TelegramTransientError("sendMessage: 429", 429, 600)
        self._conversation("/help")
        answer = self._outbound()
        self.assertGreaterEqual(
            answer.next_attempt_at, fields.Datetime.now() + timedelta(seconds=590)
        )

    def test_blocked_bot_archives_the_chat(self):
        self.send_error = TelegramRejectedError(
            "sendMessage: 403 Forbidden: bot was blocked by the user", 403
        )
        self._conversation("/help")
        answer = self._outbound()
        self.assertEqual(answer.state, "failed")
        self.assertFalse(self._chat().active)
        self.send_error = None
        self._conversation("/help")
        self.assertTrue(self._chat().active, "writing again revives the chat")

    def test_no_token_waits(self):
        self.bot.token = False
        self._conversation("/help")
        answer = self._outbound()
        self.assertEqual(answer.state, "queued")
        self.assertIn("no token", answer.error)
