from odoo.tests import new_test_user, tagged

from odoo.addons.telecom_subscriber.tests.common import GROUP, TelecomCommon

RAISED = {
    "alarmType": "communicationsAlarm",
    "perceivedSeverity": "major",
    "probableCause": "lossOfSignal",
    "sourceSystemId": "oss-test",
    "state": "raised",
    "alarmRaisedTime": "2026-11-27T10:00:00Z",
}


@tagged("post_install", "-at_install")
class TestAlarmIncident(TelecomCommon):
    """Alarms on the same zone open one mass incident, then update it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, login="t_bridge_integration", groups=f"{GROUP}integration"
        )
        Element = cls.env["telecom.network.element"]
        cls.site_a = Element.create(
            {
                "code": "T-BS-A",
                "name": "Site A",
                "region_id": cls.zone_north_city.id,
                "service_types": "mobile",
            }
        )
        cls.site_b = Element.create(
            {"code": "T-BS-B", "name": "Site B", "region_id": cls.zone_north_city.id}
        )
        cls.site_south = Element.create(
            {"code": "T-BS-S", "name": "Site S", "region_id": cls.zone_south.id}
        )
        cls.Alarm = cls.env["telecom.alarm"].with_user(cls.integration)

    def _raise(self, element, external_id, **values):
        return self.Alarm._api_raise(
            {
                **RAISED,
                "alarmedObject": {"id": element.code},
                "externalAlarmId": external_id,
                **values,
            }
        )

    def test_alarms_of_a_zone_share_one_incident(self):
        first = self._raise(self.site_a, "A-1")
        incident = first.incident_id
        self.assertTrue(incident)
        self.assertEqual(incident.state, "open")
        self.assertEqual(incident.region_ids, self.zone_north_city)
        self.assertEqual(incident.severity, "major")
        self.assertEqual(incident.service_type, "mobile")
        self.assertIn("Site A", incident.name)
        self.assertIn("T-BS-A", incident.affected_cells)
        second = self._raise(self.site_b, "B-1")
        self.assertEqual(second.incident_id, incident)
        other = self._raise(self.site_south, "S-1")
        self.assertNotEqual(other.incident_id, incident)
        self.assertEqual(incident.alarm_count, 2)

    def test_minor_alarms_make_no_incident(self):
        alarm = self._raise(self.site_a, "A-2", perceivedSeverity="minor")
        self.assertFalse(alarm.incident_id)

    def test_an_incident_above_the_zone_takes_the_alarm(self):
        manual = self.env["telecom.incident"].create(
            {"name": "Backbone cut", "region_ids": [(6, 0, self.zone_north.ids)]}
        )
        alarm = self._raise(self.site_a, "A-3")
        self.assertEqual(alarm.incident_id, manual)

    def test_critical_alarm_escalates_and_clearing_asks_to_resolve(self):
        first = self._raise(self.site_a, "A-4")
        incident = first.incident_id
        second = self._raise(self.site_b, "B-4", perceivedSeverity="critical")
        self.assertEqual(incident.severity, "critical")
        first.with_user(self.integration)._api_update({"state": "cleared"})
        self.assertFalse(incident.activity_ids)
        second.with_user(self.integration)._api_update({"state": "cleared"})
        self.assertEqual(incident.active_alarm_count, 0)
        self.assertEqual(len(incident.activity_ids), 1)
        self.assertEqual(incident.state, "open")  # the NOC confirms and resolves
