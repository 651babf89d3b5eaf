from collections import defaultdict

from odoo import api, fields, models

from odoo.addons.telecom_bss_connector.tools.activities import (
    schedule_system_activity,
)

ACTIVE_INCIDENT_STATES = ("open", "identified", "monitoring")


class TelecomIncident(models.Model):
    _inherit = "telecom.incident"

    alarm_ids = fields.One2many("telecom.alarm", "incident_id", string="Alarms")
    alarm_count = fields.Integer(compute="_compute_alarm_count")
    active_alarm_count = fields.Integer(compute="_compute_alarm_count")

    @api.depends("alarm_ids.state")
    def _compute_alarm_count(self):
        counts = {}
        for incident, state, count in self.env["telecom.alarm"]._read_group(
            [("incident_id", "in", self.ids)], ["incident_id", "state"], ["__count"]
        ):
            total, active = counts.get(incident.id, (0, 0))
            counts[incident.id] = (
                total + count,
                active + (count if state != "cleared" else 0),
            )
        for incident in self:
            incident.alarm_count, incident.active_alarm_count = counts.get(
                incident.id, (0, 0)
            )

    def _follow_alarm_severity(self):
        """A critical alarm makes its incident critical."""
        critical = self.filtered(
            lambda incident: (
                incident.severity != "critical"
                and "critical"
                in incident.alarm_ids.filtered(lambda a: a.state != "cleared").mapped(
                    "perceived_severity"
                )
            )
        )
        critical.write({"severity": "critical"})

    def _check_alarms_cleared(self):
        """Every alarm cleared: the coordinator confirms and resolves."""
        by_incident = defaultdict(list)
        for alarm in self.alarm_ids:
            by_incident[alarm.incident_id].append(alarm.state)
        for incident in self.filtered(
            lambda incident: incident.state in ACTIVE_INCIDENT_STATES
        ):
            if all(state == "cleared" for state in by_incident[incident]):
                incident._message_log(
                    body=self.env._("All the network alarms of this incident cleared.")
                )
                schedule_system_activity(
                    incident,
                    self.env._("Alarms cleared: confirm and resolve"),
                    self.env._(
                        "Every alarm linked to %(incident)s is cleared. Check the "
                        "service is back, then describe the resolution and resolve.",
                        incident=incident.display_name,
                    ),
                    incident.user_id.id or self.env.uid,
                )

    def action_view_alarms(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_bss_connector.telecom_alarm_action"
        )
        action["domain"] = [("incident_id", "=", self.id)]
        action["context"] = {}
        return action
