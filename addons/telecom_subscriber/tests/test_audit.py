from psycopg2.errors import ReadOnlySqlTransaction

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import GROUP, TelecomCommon


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

    def test_search_read_is_journaled(self):
        self.env["res.partner"].with_user(self.front_office).search_read(
            [("id", "=", self.partner.id)], ["name", "telecom_document_number"]
        )
        log = self._logs(operation="view")
        self.assertEqual(len(log), 1)
        self.assertEqual((log.user_id, log.result), (self.front_office, "granted"))
        self.assertEqual(log.field_names, "telecom_document_number")
        # without personal data, nothing is journaled
        self.env["res.partner"].with_user(self.front_office).search_read(
            [("id", "=", self.partner.id)], ["name"]
        )
        self.assertEqual(len(self._logs()), 1)

    def test_printed_report_is_journaled(self):
        report = self.env["ir.actions.report"].create(
            {
                "name": "T Subscriber Sheet",
                "model": "res.partner",
                "report_type": "qweb-html",
                "report_name": "base.contact_name",
            }
        )
        self.env["ir.actions.report"].with_user(
            self.front_office
        )._get_rendering_context(report, self.partner.ids, {})
        log = self._logs(operation="print")
        self.assertEqual(log.user_id, self.front_office)
        self.assertIn("telecom_document_number", log.field_names)

    def test_reads_stay_on_the_read_only_cursor(self):
        """Reading a subscriber does not move the web client's calls to read/write."""
        for method_name in ("read", "web_read", "search_read", "web_search_read"):
            routed_readonly = next(
                getattr(cls, method_name)._readonly
                for cls in type(self.partner).mro()
                if hasattr(getattr(cls, method_name, None), "_readonly")
            )
            self.assertTrue(routed_readonly, method_name)

    def test_personal_read_on_a_read_only_cursor_asks_for_read_write(self):
        """Only a read of personal data raises the error Odoo replays read/write."""
        with self.registry.cursor(readonly=True) as readonly_cr:
            partner = self.partner.with_env(self.env(cr=readonly_cr))
            partner = partner.with_user(self.front_office)
            self.assertTrue(partner.read(["name"]))
            # plain try/except: Odoo's assertRaises would open a savepoint on the
            # test cursor underneath this read-only one
            replayed = False
            try:
                partner.read(["telecom_document_number"])
            except ReadOnlySqlTransaction:
                replayed = True
            self.assertTrue(replayed)


@tagged("post_install", "-at_install")
class TestAuditOverRpc(HttpCase):
    """The web client's own calls, read-only route included, are journaled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zone = cls.env["telecom.region"].create({"name": "RPC Zone", "code": "T-RPC"})
        cls.agent = new_test_user(
            cls.env,
            login="t_rpc_front",
            groups=f"{GROUP}front_office,{GROUP}personal_data",
            telecom_region_ids=[Command.set(zone.ids)],
        )
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "RPC Subscriber",
                "telecom_is_subscriber": True,
                "telecom_region_id": zone.id,
                "telecom_document_number": "4510 654321",
            }
        )

    def _call(self, method, args, kwargs):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/res.partner/{method}",
            {"model": "res.partner", "method": method, "args": args, "kwargs": kwargs},
        )

    def _logs(self):
        return self.env["telecom.audit.log"].search(
            [("partner_id", "=", self.partner.id), ("user_id", "=", self.agent.id)]
        )

    def test_search_read_over_rpc_is_journaled(self):
        self.authenticate("t_rpc_front", "t_rpc_front")
        result = self._call(
            "search_read",
            [[("id", "=", self.partner.id)]],
            {"fields": ["name", "telecom_document_number"]},
        )
        self.assertEqual(result[0]["telecom_document_number"], "4510 654321")
        self.assertEqual(self._logs().field_names, "telecom_document_number")

    def test_web_search_read_over_rpc_is_journaled(self):
        self.authenticate("t_rpc_front", "t_rpc_front")
        self._call(
            "web_search_read",
            [[("id", "=", self.partner.id)]],
            {"specification": {"name": {}, "telecom_birthdate": {}}},
        )
        self.assertEqual(self._logs().field_names, "telecom_birthdate")
        self._call(
            "web_search_read",
            [[("id", "=", self.partner.id)]],
            {"specification": {"name": {}}},
        )
        self.assertEqual(len(self._logs()), 1)
