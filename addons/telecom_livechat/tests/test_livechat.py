import json

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import LivechatCommon


@tagged("post_install", "-at_install")
class TestLivechat(LivechatCommon):
    """A subscriber's conversation lands on their timeline, an agent turns it
    into a request, and no other portal user reaches it."""

    def _interaction(self, channel):
        return self.env["telecom.interaction"].search(
            [("res_model", "=", "discuss.channel"), ("res_id", "=", channel.id)]
        )

    def test_button_for_logged_in_subscribers_only(self):
        self.authenticate(self.owner_user.login, self.owner_user.login)
        page = self.url_open("/my")
        self.assertEqual(page.status_code, 200)
        self.assertIn('"livechatData"', page.text)
        self.assertIn(f'"channel_id": {self.livechat_channel.id}', page.text)
        # a portal user who is no subscriber, and an anonymous visitor: none
        stranger = new_test_user(
            self.env, login="t_portal_stranger", groups="base.group_portal"
        )
        self.authenticate(stranger.login, stranger.login)
        self.assertNotIn('"livechatData"', self.url_open("/my").text)
        self.authenticate(None, None)
        self.assertNotIn('"livechatData"', self.url_open("/web/login").text)

    def test_conversation_on_the_timeline(self):
        channel = self._start_conversation(self.owner_user, "My internet is down")
        self.assertEqual(channel.telecom_partner_id, self.owner_partner)
        interaction = self._interaction(channel)
        self.assertEqual(len(interaction), 1)
        self.assertEqual(channel.telecom_interaction_id, interaction)
        self.assertRecordValues(
            interaction,
            [
                {
                    "partner_id": self.owner_partner.id,
                    "channel": "chat",
                    "direction": "inbound",
                    "agent_id": self.operator.id,
                    "description": False,
                }
            ],
        )
        self._post(channel, "Since this morning")
        self._leave(channel)
        self.assertFalse(channel.livechat_active)
        # one row per conversation, completed when it ends
        self.assertEqual(self._interaction(channel), interaction)
        self.assertIn("My internet is down", interaction.description)
        self.assertIn("Since this morning", interaction.description)
        self.assertGreaterEqual(interaction.duration, 0)
        # the agent of the zone sees it on the subscriber card
        card = self.owner_partner.with_user(self.operator)
        self.assertIn(interaction, card.telecom_timeline_ids)

    def test_new_request_from_the_chat(self):
        channel = self._start_conversation(self.owner_user, "I was charged twice")
        action = channel.with_user(self.operator).action_telecom_new_request()
        self.assertEqual(action["res_model"], "telecom.request")
        context = action["context"]
        self.assertEqual(context["default_partner_id"], self.owner_partner.id)
        self.assertEqual(context["default_request_type"], "claim")
        request = (
            self.env["telecom.request"]
            .with_user(self.operator)
            .with_context(**context)
            .create(
                {
                    "service_id": self.owner_line.id,
                    "claim_category": "billing",
                    "reason": "Charged twice",
                }
            )
        )
        self.assertEqual(request.partner_id, self.owner_partner)
        interaction = channel.telecom_interaction_id
        self.assertEqual(interaction.request_id, request)
        self.assertEqual(interaction.outcome, "request_created")

    def test_portal_isolation(self):
        channel = self._start_conversation(self.owner_user, "Private matter")
        other = self.other_user
        # another subscriber neither finds nor writes into the conversation
        self.assertFalse(
            self.env["discuss.channel"]
            .with_user(other)
            .search([("id", "=", channel.id)])
        )
        self.authenticate(other.login, other.login)
        with mute_logger("odoo.http"):
            response = self.url_open(
                "/mail/message/post",
                data=json.dumps(
                    {
                        "jsonrpc": "2.0",
                        "method": "call",
                        "params": {
                            "thread_model": "discuss.channel",
                            "thread_id": channel.id,
                            "post_data": {
                                "body": "Hello from someone else",
                                "message_type": "comment",
                            },
                        },
                    }
                ),
                headers={"Content-Type": "application/json"},
            )
        self.assertIn("error", response.json())
        self._leave(channel)
        self.assertTrue(channel.livechat_active)
        self.assertFalse(
            any(
                "Hello from someone else" in body
                for body in channel.message_ids.mapped("body")
            )
        )
        # portal users have no timeline, nor the agents' actions
        with self.assertRaises(AccessError):
            self.env["telecom.interaction"].with_user(self.owner_user).search([])
        with self.assertRaises(AccessError):
            channel.with_user(self.owner_user).action_telecom_new_request()
        with self.assertRaises(AccessError):
            channel.with_user(self.owner_user).read(["telecom_interaction_id"])
        # the other subscriber's own conversation is theirs alone
        own = self._start_conversation(other, "My own question")
        self.assertEqual(own.telecom_partner_id, self.other_partner)
        self.assertNotEqual(own.telecom_interaction_id, channel.telecom_interaction_id)
