import unittest

from odoo import Command
from odoo.tests.common import tagged

from .common import SmscCase


@tagged("post_install", "-at_install")
class TestIncidentSms(SmscCase):
    """Incident notifications (telecom_helpdesk_sla) leave through the SMSC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if "telecom.incident.notification" not in cls.env.registry:
            raise unittest.SkipTest("telecom_helpdesk_sla is not installed")

    def test_incident_notification_goes_through_the_smsc(self):
        # the SMSC path is tested, not the quiet hours (at night in the company's
        # time zone the notice would wait for the morning)
        self.env.company.telecom_quiet_hours_service = False
        zone = self.env["telecom.region"].search([], limit=1)
        incident = self.env["telecom.incident"].create(
            {
                "name": "T Cable cut",
                "region_ids": [Command.set(zone.ids)],
                "notify_email": False,
                "notify_sms": False,
                "auto_link": False,
                "date_start": "2025-01-01 00:00:00",
            }
        )
        partner = self.env["res.partner"].create(
            {"name": "T Subscriber", "phone": "+79162220001"}
        )
        self.env["telecom.incident.notification"].create(
            {
                "incident_id": incident.id,
                "partner_id": partner.id,
                "channel": "sms",
                "kind": "opened",
                "address": "+79162220001",
            }
        )
        self.env["telecom.incident.notification"]._cron_send()
        sms = self.env["sms.sms"].search([("number", "=", "+79162220001")])
        self.assertTrue(sms)
        sms._process_queue(sms.ids)
        [received] = self.simulator.smsc()["assembled"]
        self.assertEqual(received["destination_addr"], "79162220001")
        self.assertIn("T Cable cut", received["text"])
        self.assertEqual(self.journal(sms).state, "delivered")
