from odoo.tests import tagged

from .common import LivechatCommon


@tagged("post_install", "-at_install")
class TestLivechatTour(LivechatCommon):
    """Headless Chromium: a subscriber chats from the portal."""

    def test_subscriber_chats_from_the_portal(self):
        self.start_tour(
            "/my", "telecom_livechat_portal_tour", login=self.owner_user.login
        )
        channel = self.env["discuss.channel"].search(
            [("telecom_partner_id", "=", self.owner_partner.id)]
        )
        self.assertEqual(len(channel), 1)
        self.assertEqual(channel.livechat_operator_id, self.operator.partner_id)
        interaction = channel.telecom_interaction_id
        self.assertEqual(interaction.channel, "chat")
        self.assertFalse(channel.livechat_active)
        self.assertIn("My internet is down since this morning", interaction.description)
