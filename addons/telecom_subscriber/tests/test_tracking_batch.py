from odoo.tests import tagged

from .common import TelecomCommon


@tagged("post_install", "-at_install")
class TestTrackingBatch(TelecomCommon):
    """Tracked changes of many lines are logged together, message for message."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.account = cls._create_subscriber()

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _tracking_messages(self, services):
        return self.env["mail.message"].search(
            [
                ("model", "=", "telecom.service"),
                ("res_id", "in", services.ids),
                ("tracking_value_ids", "!=", False),
            ]
        )

    def test_each_line_gets_its_own_tracking_message(self):
        # the common data are written without tracking; this test tracks
        self.env = self.env(
            context=dict(self.env.context, tracking_disable=False, mail_notrack=False)
        )
        services = self._activate_line(self.account, env=self.env)
        for _index in range(5):
            services |= self._activate_line(self.account, env=self.env)
        self._flush_tracking()
        before = self._tracking_messages(services)
        services._apply_state("blocked", block_reason="lost_sim")
        queries = self.env.cr.sql_log_count
        self._flush_tracking()
        queries = self.env.cr.sql_log_count - queries
        # the writes and both logs (8 here, whatever the number of lines); mail
        # alone logs each line by two INSERTs of its own: 12 for 6 lines
        self.assertLess(queries, 2 * len(services), f"{queries} queries")
        messages = self._tracking_messages(services) - before
        self.assertEqual(sorted(messages.mapped("res_id")), sorted(services.ids))
        for message in messages:
            changed = message.tracking_value_ids.field_id.mapped("name")
            self.assertIn("state", changed)
            self.assertIn("block_reason", changed)
            self.assertEqual(message.message_type, "notification")
        self.assertEqual(
            {
                (value.old_value_char, value.new_value_char)
                for value in messages.tracking_value_ids
                if value.field_id.name == "state"
            },
            {("Active", "Blocked")},
        )
