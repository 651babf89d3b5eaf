from odoo import Command
from odoo.exceptions import UserError

from odoo.addons.telecom_helpdesk_sla.tests.common import TelecomHelpdeskCommon
from odoo.addons.telecom_telegram.tests.common import OTHER_CHAT_ID, TelegramCommon


class TestTelegramHelpdesk(TelegramCommon, TelecomHelpdeskCommon):
    """Faults become tickets, conversations become tickets, incidents reach
    the linked chats."""

    def _tickets(self, partner=None):
        return self.env["helpdesk.ticket"].search(
            [("partner_id", "=", (partner or self.partner).id)]
        )

    def test_fault_report_opens_a_ticket(self):
        chat = self._link()
        answer = self._conversation("/fault No signal since this morning")
        ticket = self._tickets()
        self.assertEqual(len(ticket), 1)
        self.assertIn("No signal since this morning", ticket.description)
        self.assertEqual(ticket.channel_id.telecom_channel, "telegram")
        self.assertEqual(ticket.telecom_service_id, self.line, "the only live line")
        self.assertIn(ticket.number, answer)
        conversation = chat.interaction_id
        self.assertEqual(conversation.telegram_ticket_id, ticket)
        self.assertEqual(conversation.outcome, "request_created")

    def test_agent_turns_a_conversation_into_a_ticket(self):
        chat = self._link()
        self._conversation("my internet is slow")
        conversation = chat.interaction_id
        action = conversation.with_user(
            self.front_office
        ).action_telegram_create_ticket()
        ticket = self.env["helpdesk.ticket"].browse(action["res_id"])
        self.assertEqual(ticket.partner_id, self.partner)
        self.assertIn("my internet is slow", ticket.description)
        self.assertEqual(conversation.telegram_ticket_id, ticket)
        with self.assertRaises(UserError):
            conversation.with_user(self.front_office).action_telegram_create_ticket()

    def test_only_telegram_conversations_become_tickets_here(self):
        call = self.env["telecom.interaction"].create(
            {"partner_id": self.partner.id, "channel": "call", "summary": "Call"}
        )
        with self.assertRaises(UserError):
            call.action_telegram_create_ticket()

    def test_incident_notice_reaches_linked_chats(self):
        self._link()
        south_chat = self._link(chat_id=OTHER_CHAT_ID, partner=self.partner_south)
        self.sent.clear()
        incident = self.env["telecom.incident"].create(
            {
                "name": "T Mast down",
                "region_ids": [Command.set(self.zone_north.ids)],
                "service_type": "mobile",
                "severity": "critical",
                "public_message": "Mobile service is down in North City.",
            }
        )
        self._run()
        texts = [text for chat, text in self.sent]
        self.assertEqual(len(texts), 1, "the south is not affected")
        self.assertIn("T Mast down", texts[0])
        self.assertIn("Mobile service is down", texts[0])
        self.assertFalse(self._last_answer(south_chat.telegram_chat_id))
        incident.resolution = "Mast repaired."
        incident.action_resolve()
        self._run()
        self.assertIn("Service restored", self._last_answer())

    def test_incident_notice_respects_opt_out_and_switch(self):
        self._link()
        self.partner.telecom_incident_notify = False
        self.sent.clear()
        self.env["telecom.incident"].create(
            {
                "name": "T Mast down",
                "region_ids": [Command.set(self.zone_north.ids)],
                "public_message": "Down.",
            }
        )
        self._run()
        self.assertFalse(self.sent)
        self.partner.telecom_incident_notify = True
        self.env["telecom.incident"].create(
            {
                "name": "T Mast down again",
                "region_ids": [Command.set(self.zone_north.ids)],
                "public_message": "Down.",
                "notify_telegram": False,
            }
        )
        self._run()
        self.assertFalse(self.sent)
