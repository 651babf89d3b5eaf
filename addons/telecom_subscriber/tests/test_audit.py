from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TelecomCommon


@tagged("post_install", "-at_install")
class TestAudit(TelecomCommon):
    """Who viewed, changed or exported which subscriber's personal data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the journal of refused accesses uses a cursor of its own: share the test one
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.front_office.groups_id = [(4, cls.env.ref("base.group_allow_export").id)]
        cls.partner, cls.account = cls._create_subscriber(
            "Anna Smirnova",
            telecom_document_type="passport",
            telecom_document_number="4510 123456",
        )

    def _logs(self, **domain):
        return self.env["telecom.audit.log"].search(
            [("partner_id", "=", self.partner.id)]
            + [(field, "=", value) for field, value in domain.items()]
        )

    def test_view_of_personal_data_is_journaled(self):
        self.partner.with_user(self.front_office).read(
            ["name", "telecom_document_number"]
        )
        log = self._logs(operation="view")
        self.assertEqual(len(log), 1)
        self.assertEqual((log.user_id, log.result), (self.front_office, "granted"))
        self.assertEqual(log.field_names, "telecom_document_number")

    def test_reading_other_fields_is_not_journaled(self):
        self.partner.with_user(self.front_office).read(["name", "mobile"])
        self.assertFalse(self._logs())

    def test_card_open_is_journaled_once(self):
        self.partner.with_user(self.front_office).web_read(
            {"name": {}, "telecom_document_number": {}, "telecom_birthdate": {}}
        )
        log = self._logs(operation="view")
        self.assertEqual(len(log), 1)
        self.assertEqual(log.field_names, "telecom_birthdate,telecom_document_number")

    def test_change_is_journaled(self):
        self.partner.with_user(self.front_office).write(
            {"telecom_document_number": "4511 000001"}
        )
        self.assertEqual(len(self._logs(operation="change", result="granted")), 1)

    def test_denied_access_is_journaled_despite_the_rollback(self):
        # plain try/except: Odoo's assertRaises would roll the journal back too
        refused = False
        try:
            self.partner.with_user(self.retention_agent).read(
                ["telecom_document_number"]
            )
        except AccessError:
            refused = True
        self.assertTrue(refused, "the retention agent must not read identity documents")
        log = self._logs(result="denied")
        self.assertEqual((log.user_id, log.operation), (self.retention_agent, "view"))

    def test_export_is_journaled(self):
        self.partner.with_user(self.front_office).export_data(
            ["name", "telecom_document_number"]
        )
        self.assertEqual(len(self._logs(operation="export")), 1)

    def test_log_is_append_only(self):
        self.partner.with_user(self.front_office).read(["telecom_document_number"])
        log = self._logs()
        with self.assertRaises(UserError):
            log.write({"result": "denied"})
        with self.assertRaises(UserError):
            log.unlink()
        for user in (self.supervisor, self.front_office):
            with self.assertRaises(AccessError):
                self.env["telecom.audit.log"].with_user(user).create(
                    {
                        "user_id": user.id,
                        "res_model": "res.partner",
                        "operation": "view",
                        "result": "granted",
                    }
                )

    def test_system_reads_are_not_journaled(self):
        self.partner.sudo().read(["telecom_document_number"])
        self.assertFalse(self._logs())

    def test_personal_data_reads_are_read_write_calls(self):
        """The web client routes read-only calls to a read-only cursor: not these."""
        for method_name in ("read", "web_read"):
            routed_readonly = next(
                getattr(cls, method_name)._readonly
                for cls in type(self.partner).mro()
                if hasattr(getattr(cls, method_name, None), "_readonly")
            )
            self.assertFalse(routed_readonly, method_name)
