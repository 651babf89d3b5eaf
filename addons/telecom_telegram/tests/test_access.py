from odoo.exceptions import AccessError

from .common import TelegramCommon


class TestAccess(TelegramCommon):
    """Agents issue codes and see chats of their zones; only administrators
    configure bots and read their secrets."""

    def test_agent_issues_a_code_on_the_card(self):
        action = self.partner.with_user(self.front_office).action_telegram_issue_code()
        message = action["params"]["message"]
        code = message.split(": ")[1].split(" ")[0]
        self.assertRegex(code, r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")
        link_code = self.Code.search([("partner_id", "=", self.partner.id)])
        self.assertEqual(link_code.issued_from, "agent")
        self.assertEqual(link_code.issued_by_id, self.front_office)
        self._conversation(f"/link {code}")
        self.assertEqual(self._chat().partner_id, self.partner)

    def test_agent_of_another_zone_cannot_issue(self):
        with self.assertRaises(AccessError):
            self.partner.with_user(self.front_office_south).action_telegram_issue_code()
        self.assertFalse(self.Code.search([("partner_id", "=", self.partner.id)]))

    def test_portal_user_cannot_issue_through_rpc(self):
        from odoo.tests import new_test_user

        portal = new_test_user(
            self.env, login="t_tg_portal", groups="base.group_portal"
        )
        with self.assertRaises(AccessError):
            self.partner.with_user(portal).action_telegram_issue_code()

    def test_agent_sees_chats_of_own_zones(self):
        chat = self._link()
        chat_south = self._link(chat_id=1234, partner=self.partner_south)
        Chat = self.Chat.with_user(self.front_office)
        self.assertEqual(Chat.search([("id", "in", (chat | chat_south).ids)]), chat)
        Chat = self.Chat.with_user(self.head_office)
        self.assertEqual(
            Chat.search([("id", "in", (chat | chat_south).ids)]), chat | chat_south
        )
        messages = self.Message.with_user(self.front_office).search(
            [("chat_id", "in", (chat | chat_south).ids)]
        )
        self.assertEqual(messages.chat_id, chat)
        codes = self.Code.with_user(self.front_office).search([])
        self.assertNotIn(self.partner_south, codes.partner_id)

    def test_agent_unlinks_a_chat(self):
        chat = self._link()
        chat.with_user(self.front_office).action_unlink_subscriber()
        self.assertFalse(chat.partner_id)
        chat = self._link()
        with self.assertRaises(AccessError):
            chat.with_user(self.tech_support).action_unlink_subscriber()

    def test_bot_secrets_are_for_administrators(self):
        bot = self.bot.with_user(self.supervisor)
        self.assertEqual(bot.name, "T Bot")
        with self.assertRaises(AccessError):
            bot.read(["token"])
        with self.assertRaises(AccessError):
            bot.read(["webhook_secret"])
        with self.assertRaises(AccessError):
            bot.write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            bot.action_register_webhook()

    def test_agents_cannot_write_messages_or_codes(self):
        chat = self._link()
        message = chat.message_ids[:1].with_user(self.front_office)
        with self.assertRaises(AccessError):
            message.write({"text": "forged"})
        code = self.Code.search([("partner_id", "=", self.partner.id)])
        with self.assertRaises(AccessError):
            code.with_user(self.supervisor).write({"state": "active"})
