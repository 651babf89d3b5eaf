from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.telecom_livechat.tests.common import LivechatCommon


@tagged("post_install", "-at_install")
class TestLivechatTicket(LivechatCommon):
    """An agent (the operator of the chat, not an administrator) turns a
    subscriber's conversation into a ticket with its transcript."""

    def test_conversation_becomes_a_ticket(self):
        channel = self._start_conversation(self.owner_user, "No internet at home")
        self._post(channel, "The router light is red")
        action = channel.with_user(self.operator).action_telecom_create_ticket()
        self.assertEqual(action["res_model"], "helpdesk.ticket")
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(self.operator)
            .browse(action["res_id"])
        )
        self.assertEqual(ticket.partner_id, self.owner_user.partner_id)
        self.assertEqual(ticket.commercial_partner_id, self.owner_partner)
        self.assertIn("No internet at home", ticket.name)
        self.assertIn("The router light is red", ticket.description)
        self.assertEqual(
            ticket.channel_id,
            self.env.ref("telecom_livechat_helpdesk.helpdesk_ticket_channel_livechat"),
        )
        self.assertEqual(ticket.telecom_livechat_channel_id, channel)
        # the conversation is told the ticket number, its timeline row flagged
        self.assertTrue(
            any(ticket.number in body for body in channel.message_ids.mapped("body"))
        )
        self.assertEqual(channel.telecom_interaction_id.outcome, "follow_up")
        # the ticket's own row is a process step: one chat row per conversation
        chat_rows = self.env["telecom.interaction"].search(
            [("partner_id", "=", self.owner_partner.id), ("channel", "=", "chat")]
        )
        self.assertEqual(chat_rows, channel.telecom_interaction_id)
        # asked again (the chat window, then the row): the same ticket
        again = channel.telecom_interaction_id.with_user(
            self.operator
        ).action_telecom_create_ticket()
        self.assertEqual(again["res_id"], ticket.id)

    def test_portal_user_cannot_create_tickets_from_chat(self):
        channel = self._start_conversation(self.owner_user, "Let me open a ticket")
        with self.assertRaises(AccessError):
            channel.with_user(self.owner_user).action_telecom_create_ticket()
        self.assertFalse(channel.telecom_ticket_ids)
