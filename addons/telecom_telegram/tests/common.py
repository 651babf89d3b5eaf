import itertools
from contextlib import contextmanager
from unittest.mock import patch

from odoo.addons.telecom_subscriber.tests.common import TelecomCommon

from ..tools.bot_api import TelegramBotApi

CHAT_ID = 777000111
OTHER_CHAT_ID = 777000222
SECRET = "t-webhook-secret"


class TelegramCommon(TelecomCommon):
    """A bot, a subscriber with a mobile line, and helpers that play Telegram:
    ``_say(text)`` delivers an update as the webhook would, ``_run()`` runs the
    cron with the Bot API patched at the adapter boundary (``sent`` holds what
    the bot sent, per chat)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bot = cls.env["telecom.telegram.bot"].create(
            {
                "name": "T Bot",
                "sequence": 1,
                "api_base_url": "http://127.0.0.1:9",
                "token": "123:T-TOKEN",
                "webhook_secret": SECRET,
            }
        )
        cls.partner, cls.account = cls._create_subscriber("Telegram Subscriber")
        cls.line = cls._activate_line(cls.account)
        cls.partner_south, cls.account_south = cls._create_subscriber(
            "South Subscriber", zone=cls.zone_south
        )
        cls.Chat = cls.env["telecom.telegram.chat"]
        cls.Message = cls.env["telecom.telegram.message"]
        cls.Code = cls.env["telecom.telegram.link.code"]
        cls._update_ids = itertools.count(1000)

    def setUp(self):
        super().setUp()
        self.sent = []
        self.send_error = None

    def _say(self, text, chat_id=CHAT_ID, **chat):
        update = {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": 1,
                "from": {"id": chat_id, "language_code": "en"},
                "chat": {"id": chat_id, "type": "private", **chat},
                "date": 0,
                "text": text,
            },
        }
        return self.bot._api_receive_update(update)

    @contextmanager
    def _patched_api(self):
        test = self

        def send_message(api, chat_id, text):
            if test.send_error:
                raise test.send_error
            test.sent.append((str(chat_id), text))
            return {"message_id": len(test.sent)}

        with patch.object(TelegramBotApi, "send_message", send_message):
            yield

    def _run(self):
        with self._patched_api():
            self.Message._cron_run()

    def _conversation(self, text, chat_id=CHAT_ID, **chat):
        """Say ``text`` and run the cron; the bot's last answer in that chat."""
        self._say(text, chat_id=chat_id, **chat)
        self._run()
        return self._last_answer(chat_id)

    def _last_answer(self, chat_id=CHAT_ID):
        answers = [text for chat, text in self.sent if chat == str(chat_id)]
        return answers[-1] if answers else None

    def _chat(self, chat_id=CHAT_ID):
        return self.Chat.with_context(active_test=False).search(
            [("telegram_chat_id", "=", str(chat_id))]
        )

    def _issue(self, partner=None):
        _code, plain = self.Code._issue(partner or self.partner, "agent")
        return plain

    def _link(self, chat_id=CHAT_ID, partner=None):
        code = self._issue(partner)
        self._conversation(f"/link {code}", chat_id=chat_id)
        return self._chat(chat_id)
