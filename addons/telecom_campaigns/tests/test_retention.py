from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestRetentionList(CampaignsCommon):
    """Submitted port-outs and terminations reach the retention list, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Case = cls.env["telecom.retention.case"]
        cls.consumer = cls.env.ref("telecom_campaigns.event_consumer_retention")
        cls.closing_consumer = cls.env.ref(
            "telecom_campaigns.event_consumer_retention_close"
        )
        cls.north, account = cls._create_subscriber("Leaving North")
        cls.north_line = cls._activate_line(account)
        cls.south, account_south = cls._create_subscriber(
            "Leaving South", zone=cls.zone_south
        )
        cls.south_line = cls._activate_line(account_south)

    def _drain(self, requests):
        """Run the cron until the feed is empty; the cases of ``requests``.

        The test's own transaction never commits: its events get the id of a
        long-finished transaction (as in telecom_subscriber's feed tests) and the
        consumer reads the feed from its start again.
        """
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE telecom_event SET txid = 3 WHERE request_id = ANY(%s)",
            [requests.ids],
        )
        self.env["telecom.event"].invalidate_model(["txid"])
        (self.consumer | self.closing_consumer).action_reset_position()
        while self.Case._cron_consume_events():
            pass
        return self.Case.search([("request_id", "in", requests.ids)])

    def _port_out(self, line):
        request = self._new_request(
            "port_out",
            line,
            recipient_operator_id=self.operator_other.id,
            effective_date=self._today() + timedelta(days=8),
        )
        request.action_submit()
        return request

    def test_port_out_and_termination_open_one_case_each(self):
        port_out = self._port_out(self.north_line)
        termination = self._new_request(
            "termination", self.south_line, termination_reason="price"
        )
        termination.action_submit()
        # a request of another type opens nothing
        block = self._new_request("block", self.north_line, block_reason="debt")
        block.action_submit()
        requests = port_out | termination | block
        cases = self._drain(requests)
        # scored when the case opens: port-out 40 + debt block 15 + new customer 10
        self.assertRecordValues(
            cases.sorted("trigger"),
            [
                {"request_id": port_out.id, "trigger": "port_out",
                 "partner_id": self.north.id, "churn_risk": 65, "state": "open"},
                {"request_id": termination.id, "trigger": "termination",
                 "partner_id": self.south.id, "churn_risk": 45, "state": "open"},
            ],
        )  # fmt: skip
        self.assertIn("Port-out requested: +40", cases[0].churn_reason_text)
        # stored as codes, shown in the reader's language
        self.env["res.lang"]._activate_lang("ru_RU")
        in_russian = cases[0].with_context(lang="ru_RU")
        in_russian.invalidate_recordset(["churn_reason_text"])
        self.assertIn(
            "Запрошен перенос номера к другому оператору: +40",
            in_russian.churn_reason_text,
        )
        # nothing new on the next run; replaying the whole feed opens no
        # second case for a request
        self.assertFalse(self.Case._cron_consume_events())
        self.assertEqual(self._drain(requests), cases)

    def test_retention_agents_see_their_zones_and_close_cases(self):
        self._drain(self._port_out(self.north_line) | self._port_out(self.south_line))
        cases = self.Case.with_user(self.retention_agent).search([])
        self.assertEqual(cases.partner_id, self.north)
        cases.action_mark_retained()
        self.assertEqual(cases.state, "retained")
        with self.assertRaises(UserError):
            cases.action_mark_lost()
        with self.assertRaises(AccessError):
            self.Case.with_user(self.front_office).search([])

    def test_request_closed_meanwhile_opens_no_case(self):
        port_out = self._port_out(self.north_line)
        port_out.action_cancel()
        self.assertFalse(self._drain(port_out))

    def test_case_closes_by_itself_when_its_request_ends(self):
        port_out = self._port_out(self.north_line)
        termination = self._new_request(
            "termination", self.south_line, termination_reason="price"
        )
        termination.action_submit()
        cases = self._drain(port_out | termination)
        self.assertEqual(cases.mapped("state"), ["open", "open"])
        # the subscriber changed their mind at the shop; the other one left
        port_out.action_cancel(reason="Stays after all")
        termination.action_complete()
        self.assertEqual(self.south_line.state, "terminated")
        self._drain(port_out | termination)
        case_of = {case.request_id: case for case in cases}
        self.assertEqual(case_of[port_out].state, "retained")
        self.assertEqual(case_of[termination].state, "lost")
        self.assertIn(
            f"request {termination.name} went to Done",
            case_of[termination].message_ids[0].body,
        )
        # replaying the feed changes nothing
        self._drain(port_out | termination)
        self.assertEqual(case_of[port_out].state, "retained")
