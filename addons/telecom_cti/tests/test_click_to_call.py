from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CtiCommon


@tagged("post_install", "-at_install")
class TestClickToCall(CtiCommon):
    """The agent clicks Call: Odoo queues an Originate the connector sends."""

    def test_click_to_call_is_claimed_once_and_answered(self):
        subscriber = self.subscriber.with_user(self.agent)
        subscriber.sudo().mobile = self.line.msisdn  # test data set as admin
        action = subscriber.action_telecom_cti_call()
        self.assertEqual(action["tag"], "display_notification")
        originate = self.env["telecom.cti.originate"].search(
            [("user_id", "=", self.agent.id)]
        )
        self.assertEqual(
            (originate.state, originate.extension, originate.number),
            ("queued", "201", self.line.msisdn),
        )
        pbx = self.pbx.with_user(self.integration_user)
        [command] = pbx._api_claim_originates()
        self.assertEqual(command["channel"], "PJSIP/201")
        self.assertEqual(command["exten"], self.line.msisdn)
        self.assertEqual(command["context"], "from-internal")
        self.assertEqual(
            command["variables"], [f"TELECOM_CTI_ORIGINATE={originate.id}"]
        )
        self.assertEqual(originate.state, "sent")
        self.assertEqual(pbx._api_claim_originates(), [], "sent at most once")
        self._receive(
            [
                {
                    "Event": "OriginateResponse",
                    "ActionID": command["action_id"],
                    "Response": "Success",
                    "Uniqueid": "1765000100.1",
                }
            ]
        )
        self.assertEqual(originate.state, "connected")

    def test_click_to_call_a_line_and_a_failure(self):
        self.line.with_user(self.agent).action_telecom_cti_call()
        originate = self.env["telecom.cti.originate"].search(
            [("service_id", "=", self.line.id)]
        )
        self.assertEqual(originate.partner_id, self.subscriber)
        [command] = self.pbx.with_user(self.integration_user)._api_claim_originates()
        self._receive(
            [
                {
                    "Event": "OriginateResponse",
                    "ActionID": command["action_id"],
                    "Response": "Failure",
                    "Reason": "0",
                }
            ]
        )
        self.assertEqual(originate.state, "failed")

    def test_no_extension_no_number(self):
        with self.assertRaises(UserError):
            self.line.with_user(self.retention_agent).action_telecom_cti_call()
        stranger = self.env["res.partner"].create({"name": "No Phone"})
        with self.assertRaises(UserError):
            stranger.with_user(self.agent).action_telecom_cti_call()
