from datetime import timedelta

from odoo import fields

from .common import CHAT_ID, OTHER_CHAT_ID, TelegramCommon


class TestLinking(TelegramCommon):
    """A chat speaks for a subscriber only after the right, unexpired, unused
    one-time code; a wrong code links nothing and says so."""

    def test_right_code_links_the_chat(self):
        code = self._issue()
        answer = self._conversation(f"/link {code}", username="ivan")
        chat = self._chat()
        self.assertEqual(chat.partner_id, self.partner)
        self.assertIn(self.partner.name, answer)
        link_code = self.Code.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(link_code.state, "used")
        self.assertEqual(link_code.chat_id, chat)
        self.assertNotIn(code.replace("-", ""), link_code.code_hash, "hash only")

    def test_code_is_read_leniently(self):
        code = self._issue()
        self._conversation(f"/link  {code.lower().replace('-', ' ')}")
        self.assertEqual(self._chat().partner_id, self.partner)

    def test_start_deep_link_links(self):
        code = self._issue().replace("-", "")
        self._conversation(f"/start {code}")
        self.assertEqual(self._chat().partner_id, self.partner)

    def test_wrong_code_links_nothing(self):
        self._issue()
        answer = self._conversation("/link AAAA-BBBB")
        chat = self._chat()
        self.assertFalse(chat.partner_id)
        self.assertIn("nothing was linked", answer)
        self.assertEqual(chat.link_failure_count, 1)
        self.assertFalse(
            self.env["telecom.interaction"].search(
                [("partner_id", "=", self.partner.id), ("channel", "=", "telegram")]
            ),
            "an unlinked chat leaves nothing on any timeline",
        )

    def test_expired_code_is_refused(self):
        code = self._issue()
        link_code = self.Code.search([("partner_id", "=", self.partner.id)])
        link_code.expires_at = fields.Datetime.now() - timedelta(seconds=1)
        self.assertTrue(link_code.is_expired)
        answer = self._conversation(f"/link {code}")
        self.assertFalse(self._chat().partner_id)
        self.assertIn("expired", answer)
        self.assertEqual(link_code.state, "active", "still unused")

    def test_used_code_is_refused(self):
        code = self._issue()
        self._conversation(f"/link {code}")
        self.assertEqual(self._chat().partner_id, self.partner)
        answer = self._conversation(f"/link {code}", chat_id=OTHER_CHAT_ID)
        self.assertFalse(self._chat(OTHER_CHAT_ID).partner_id)
        self.assertIn("already used", answer)

    def test_new_code_replaces_the_old_one(self):
        old = self._issue()
        new = self._issue()
        self._conversation(f"/link {old}")
        self.assertFalse(self._chat().partner_id)
        self._conversation(f"/link {new}")
        self.assertEqual(self._chat().partner_id, self.partner)
        states = self.Code.search([("partner_id", "=", self.partner.id)]).mapped(
            "state"
        )
        self.assertEqual(sorted(states), ["revoked", "used"])

    def test_too_many_wrong_codes_lock_the_chat(self):
        self.bot.link_max_failures = 3
        for attempt in range(3):
            self._conversation(f"/link WRONG{attempt:03d}")
        chat = self._chat()
        self.assertTrue(chat.link_locked_until)
        code = self._issue()
        answer = self._conversation(f"/link {code}")
        self.assertFalse(chat.partner_id, "even the right code waits for the lock")
        self.assertIn("Too many wrong codes", answer)
        link_code = self.Code.search(
            [("partner_id", "=", self.partner.id), ("state", "=", "active")]
        )
        self.assertTrue(link_code, "the code was not spent by the locked chat")
        chat.link_locked_until = fields.Datetime.now() - timedelta(seconds=1)
        self._conversation(f"/link {code}")
        self.assertEqual(chat.partner_id, self.partner)

    def test_code_of_another_company_is_refused(self):
        other_company = self.env["res.company"].create({"name": "T Other Branch"})
        other_bot = self.bot.copy(
            {"company_id": other_company.id, "webhook_secret": "x"}
        )
        code = self._issue()
        other_bot._api_receive_update(
            {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "chat": {"id": CHAT_ID, "type": "private"},
                    "text": f"/link {code}",
                },
            }
        )
        self._run()
        chat = self.Chat.search([("bot_id", "=", other_bot.id)])
        self.assertFalse(chat.partner_id)

    def test_conversation_lands_on_the_timeline_once(self):
        chat = self._link()
        self._conversation("/balance")
        self._conversation("hello?")
        conversations = self.env["telecom.interaction"].search(
            [("partner_id", "=", self.partner.id), ("channel", "=", "telegram")]
        )
        self.assertEqual(len(conversations), 1, "one row per conversation")
        self.assertEqual(chat.interaction_id, conversations)
        self.assertEqual(conversations.res_model, "telecom.telegram.chat")
        self.assertEqual(conversations.res_id, chat.id)
        transcript = conversations.telegram_message_ids
        self.assertEqual(
            transcript.filtered(lambda m: m.direction == "inbound").mapped("text")[1:],
            ["/balance", "hello?"],
        )
        self.assertEqual(
            len(transcript.filtered(lambda m: m.direction == "outbound")), 3
        )
        self.assertIn("balance", conversations.telegram_topics)
        self.partner.invalidate_recordset(["telecom_timeline_ids"])
        self.assertIn(conversations, self.partner.telecom_timeline_ids)

    def test_silence_starts_a_new_conversation(self):
        chat = self._link()
        first = chat.interaction_id
        chat.last_message_date = fields.Datetime.now() - timedelta(minutes=31)
        self._conversation("/balance")
        self.assertNotEqual(chat.interaction_id, first)
        self.assertEqual(
            self.env["telecom.interaction"].search_count(
                [("partner_id", "=", self.partner.id), ("channel", "=", "telegram")]
            ),
            2,
        )

    def test_update_sent_twice_is_recorded_once(self):
        update = {
            "update_id": 5,
            "message": {
                "message_id": 1,
                "chat": {"id": CHAT_ID, "type": "private"},
                "text": "/help",
            },
        }
        first = self.bot._api_receive_update(update)
        second = self.bot._api_receive_update(update)
        self.assertEqual(first, second)
        self.assertEqual(self.Message.search_count([("bot_id", "=", self.bot.id)]), 1)

    def test_other_updates_are_ignored(self):
        for update in (
            {"update_id": 6, "edited_message": {"text": "x"}},
            {
                "update_id": 7,
                "message": {"chat": {"id": 1, "type": "group"}, "text": "/help"},
            },
            {"update_id": 8, "message": {"chat": {"id": 1}, "sticker": {}}},
            [],
            None,
        ):
            self.assertFalse(self.bot._api_receive_update(update))
        self.assertFalse(self.Message.search([("bot_id", "=", self.bot.id)]))

    def test_unlink_command(self):
        chat = self._link()
        answer = self._conversation("/unlink")
        self.assertFalse(chat.partner_id)
        self.assertIn("no longer", answer)
        answer = self._conversation("/balance")
        self.assertIn("/link", answer, "an unlinked chat is told how to link")
