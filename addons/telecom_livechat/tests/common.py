from odoo.tests import new_test_user

from odoo.addons.telecom_subscriber.tests.common import GROUP
from odoo.addons.telecom_subscriber.tests.common_portal import TelecomPortalCommon


class LivechatCommon(TelecomPortalCommon):
    """The portal subscribers of ``TelecomPortalCommon`` and a live chat channel
    of the company whose operator is a front-office agent of North."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.operator = new_test_user(
            cls.env,
            login="t_chat_operator",
            name="Chat Operator",
            groups=GROUP + "front_office,im_livechat.im_livechat_group_user",
            telecom_region_ids=[(6, 0, cls.zone_north.ids)],
        )
        cls.livechat_channel = cls.env["im_livechat.channel"].create(
            {"name": "T Portal Support", "user_ids": [(6, 0, cls.operator.ids)]}
        )
        cls.env.company.telecom_livechat_channel_id = cls.livechat_channel

    def setUp(self):
        super().setUp()

        # the operator is online (no websocket in the tests)
        def _compute_available_operator_ids(channels):
            for channel in channels:
                channel.available_operator_ids = channel.user_ids

        self.patch(
            type(self.env["im_livechat.channel"]),
            "_compute_available_operator_ids",
            _compute_available_operator_ids,
        )

    def _start_conversation(self, user, text):
        """``user`` opens the live chat of the portal and writes ``text``, as
        the button does: Odoo's own routes, through HTTP."""
        self.authenticate(user.login, user.login)
        self.make_jsonrpc_request(
            "/im_livechat/get_session",
            {
                "channel_id": self.livechat_channel.id,
                "anonymous_name": "Visitor",
                "persisted": True,
            },
        )
        channel = self.env["discuss.channel"].search(
            [
                ("channel_type", "=", "livechat"),
                ("livechat_channel_id", "=", self.livechat_channel.id),
                ("channel_member_ids.partner_id", "=", user.partner_id.id),
            ],
            order="id desc",
            limit=1,
        )
        self._post(channel, text)
        return channel

    def _post(self, channel, text):
        result = self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "discuss.channel",
                "thread_id": channel.id,
                "post_data": {"body": text, "message_type": "comment"},
            },
        )
        # what the request wrote, not what the test read before
        self.env.invalidate_all()
        return result

    def _leave(self, channel):
        self.make_jsonrpc_request(
            "/im_livechat/visitor_leave_session", {"channel_id": channel.id}
        )
        self.env.invalidate_all()
