from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import TelecomCommon

DETECTED = datetime(2026, 3, 6, 10, 0)


@tagged("post_install", "-at_install")
class TestPdIncident(TelecomCommon):
    """The incident register and its 24 h / 72 h clocks (152-FZ art. 21 part 3.1)."""

    def _new_incident(self, user=None):
        env = self.env(user=user) if user else self.env
        return env["telecom.pd.incident"].create(
            {
                "detected_at": DETECTED,
                "description": "A list of subscribers sent to a wrong address",
                "data_categories": "names, phone numbers",
                "subject_categories": "subscribers",
                "subject_count": 120,
            }
        )

    def test_clocks(self):
        incident = self._new_incident(self.supervisor)
        self.assertEqual(incident.notify_deadline, datetime(2026, 3, 7, 10, 0))
        self.assertEqual(incident.report_deadline, datetime(2026, 3, 9, 10, 0))

    def test_cron_flags_overdue_clocks(self):
        incident = self._new_incident(self.supervisor)
        Incident = self.env["telecom.pd.incident"]
        Incident._cron_flag_overdue(now=datetime(2026, 3, 7, 9, 59))
        self.assertFalse(incident.notify_overdue)
        Incident._cron_flag_overdue(now=datetime(2026, 3, 7, 10, 1))
        self.assertTrue(incident.notify_overdue)
        self.assertFalse(incident.report_overdue)
        self.assertTrue(
            incident.message_ids.filtered(lambda m: "24-hour" in (m.body or ""))
        )
        Incident._cron_flag_overdue(now=datetime(2026, 3, 9, 10, 1))
        self.assertTrue(incident.report_overdue)
        flagged = len(incident.message_ids)
        Incident._cron_flag_overdue(now=datetime(2026, 3, 10, 10, 1))
        self.assertEqual(len(incident.message_ids), flagged)

    def test_notified_in_time_is_not_flagged(self):
        incident = self._new_incident(self.supervisor)
        incident.authority_reference = "RKN-2026-0001"
        with freeze_time("2026-03-07 09:00:00"):
            incident.action_notify_authority()
        self.assertEqual(incident.state, "notified")
        self.assertFalse(incident.notified_late)
        self.env["telecom.pd.incident"]._cron_flag_overdue(
            now=datetime(2026, 3, 7, 12, 0)
        )
        self.assertFalse(incident.notify_overdue)
        incident.investigation_results = "One e-mail sent to a partner, deleted."
        with freeze_time("2026-03-09 11:00:00"):
            incident.action_report_results()
        self.assertEqual(incident.state, "reported")
        self.assertTrue(incident.reported_late)
        incident.action_close()
        self.assertEqual(incident.state, "closed")

    def test_notification_needs_the_reference(self):
        incident = self._new_incident(self.supervisor)
        with self.assertRaises(UserError):
            incident.action_notify_authority()
        with self.assertRaises(UserError):
            incident.action_report_results()

    def test_access(self):
        with self.assertRaises(AccessError):
            self._new_incident(self.front_office)
        incident = self._new_incident(self.supervisor)
        with self.assertRaises(AccessError):
            incident.with_user(self.front_office).read(["name"])
        with self.assertRaises(AccessError):
            incident.write({"state": "closed"})
        with self.assertRaises(AccessError):
            incident.unlink()
