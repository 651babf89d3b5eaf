from unittest.mock import patch

from odoo.tools import mute_logger

from .common import TelegramCommon


class TestCommands(TelegramCommon):
    """What a linked subscriber can do in the chat."""

    def test_balance_lists_accounts_and_lines(self):
        chat = self._link()
        answer = self._conversation("/balance")
        self.assertIn(self.account.name, answer)
        self.assertIn(self.line.name, answer)
        self.assertIn(self.tariff_basic.name, answer)
        self.assertNotIn(self.account_south.name, answer, "own accounts only")
        self.assertEqual(chat.interaction_id.outcome, "information")

    def test_balance_needs_a_linked_chat(self):
        answer = self._conversation("/balance")
        self.assertIn("/link", answer)
        self.assertNotIn(self.account.name, answer)

    def test_fault_with_description(self):
        chat = self._link()
        answer = self._conversation("/fault No signal at home since morning")
        conversation = chat.interaction_id
        # follow-up here; the helpdesk bridge, when installed, opens a ticket
        self.assertIn(conversation.outcome, ("follow_up", "request_created"))
        self.assertIn("No signal at home", conversation.description)
        self.assertIn("fault report", conversation.telegram_topics)
        self.assertIn("recorded", answer)

    def test_fault_asks_for_the_description(self):
        chat = self._link()
        answer = self._conversation("/fault")
        self.assertIn("Describe the fault", answer)
        self.assertEqual(chat.pending_action, "fault")
        self._conversation("Internet is down")
        self.assertFalse(chat.pending_action)
        self.assertIn("Internet is down", chat.interaction_id.description)

    def test_unknown_text_gets_help(self):
        self._link()
        answer = self._conversation("what is my tariff?")
        self.assertIn("/balance", answer)

    def test_answers_in_the_subscriber_language(self):
        self.env["res.lang"]._activate_lang("ru_RU")
        self.partner.lang = "ru_RU"
        self._link()
        self.assertTrue(self._last_answer())

    def test_failed_processing_stops_nothing(self):
        self._link()
        self._say("/balance")
        self._say("/help")

        def broken(chat, argument):
            raise ValueError("boom")

        with (
            patch.object(type(self.Chat), "_telegram_command_balance", broken),
            mute_logger("odoo.addons.telecom_telegram.models.telecom_telegram_message"),
        ):
            self._run()
        states = self.Message.search(
            [("bot_id", "=", self.bot.id), ("direction", "=", "inbound")],
            order="id desc",
            limit=2,
        ).mapped("state")
        self.assertEqual(states, ["processed", "error"])
        self.assertIn("/balance", self._last_answer())
