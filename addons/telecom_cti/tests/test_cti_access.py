from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CtiCommon, call_events


@tagged("post_install", "-at_install")
class TestCtiAccess(CtiCommon):
    """Front office agents see their calls and their queues' calls, no secret."""

    def test_front_office_sees_own_calls_and_rows(self):
        self._receive(call_events("1765000200.1", self.line.msisdn, "201"))
        call = self._call("1765000200.1")
        as_agent = self.Call.with_user(self.agent)
        self.assertEqual(as_agent.search([("linkedid", "=", "1765000200.1")]), call)
        self.assertEqual(
            as_agent.browse(call.id).interaction_id.cti_call_outcome, "answered"
        )
        timeline = self.subscriber.with_user(self.agent).telecom_timeline_ids
        self.assertIn(call.interaction_id, timeline)
        # an agent of another zone and queue does not see it
        other = self.Call.with_user(self.front_office_south)
        self.assertFalse(other.search([("linkedid", "=", "1765000200.1")]))
        with self.assertRaises(AccessError):
            other.browse(call.id).read(["number"])

    def test_front_office_cannot_read_the_token_nor_configure(self):
        pbx = self.pbx.with_user(self.agent)
        self.assertEqual(pbx.name, "T Exchange")
        with self.assertRaises(AccessError):
            pbx.read(["api_token"])
        with self.assertRaises(AccessError):
            pbx.write({"host": "10.0.0.1"})
        with self.assertRaises(AccessError):
            self.env["telecom.cti.call"].with_user(self.agent).create(
                {"pbx_id": self.pbx.id, "linkedid": "forged"}
            )

    def test_agents_see_only_their_click_to_calls(self):
        self.subscriber.mobile = self.line.msisdn
        self.subscriber.with_user(self.agent).action_telecom_cti_call()
        Originate = self.env["telecom.cti.originate"]
        self.assertEqual(len(Originate.with_user(self.agent).search([])), 1)
        self.assertFalse(Originate.with_user(self.agent_two).search([]))
