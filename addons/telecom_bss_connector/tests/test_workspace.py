from odoo.tests import tagged

from odoo.addons.telecom_subscriber.tests.common import TelecomCommon
from odoo.addons.telecom_subscriber.tests.common_workspace import (
    WorkspaceAssertions,
)


@tagged("post_install", "-at_install")
class TestAlarmWorkspace(WorkspaceAssertions, TelecomCommon):
    """The NOC workspace counts the alarms not cleared, per severity, and opens
    exactly those."""

    def test_active_alarms_per_severity(self):
        Alarm = self.env["telecom.alarm"]
        Alarm.search([]).write({"state": "cleared"})
        major = Alarm.create({"perceived_severity": "major", "state": "raised"})
        Alarm.create({"perceived_severity": "minor", "state": "cleared"})
        widgets = self.assertWidgetsMatchDrill(self.tech_support)
        alarms = widgets["Active Alarms"]
        self.assertEqual(alarms["value"], 1)
        self.assertEqual(
            self._drilled(self.tech_support, alarms, alarms["groups"][0]), major
        )
