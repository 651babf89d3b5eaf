from markupsafe import Markup, escape

from odoo import fields, models

# alarms that make a mass incident; minor ones and warnings are the NOC's own
INCIDENT_SEVERITIES = ("critical", "major")
ACTIVE_INCIDENT_STATES = ("open", "identified", "monitoring")


class TelecomAlarm(models.Model):
    """Alarms on the same zone (network element or region) open or update a
    mass incident; when all of an incident's alarms are cleared its coordinator
    is told to confirm and resolve it."""

    _inherit = "telecom.alarm"

    incident_id = fields.Many2one(
        "telecom.incident",
        string="Mass Incident",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )

    def _on_alarms_changed(self):
        result = super()._on_alarms_changed()
        raised = self.filtered(
            lambda alarm: (
                alarm.state != "cleared"
                and alarm.region_id
                and alarm.perceived_severity in INCIDENT_SEVERITIES
            )
        )
        raised.filtered(lambda alarm: not alarm.incident_id)._link_to_incidents()
        raised.incident_id._follow_alarm_severity()
        self.filtered(
            lambda alarm: alarm.state == "cleared" and alarm.incident_id
        ).incident_id._check_alarms_cleared()
        return result

    def _link_to_incidents(self):
        """Link each alarm to the active incident of its zone, or open one."""
        for region, alarms in self.grouped("region_id").items():
            incident = self._active_incident_for(region) or self._open_incident(
                region, alarms
            )
            alarms.incident_id = incident
            incident._message_log(
                body=Markup("<br/>").join(
                    escape(
                        self.env._(
                            "Alarm %(alarm)s (%(severity)s) raised on %(element)s.",
                            alarm=alarm.external_alarm_id or alarm.id,
                            severity=alarm.perceived_severity,
                            element=alarm.alarmed_object_id or "-",
                        )
                    )
                    for alarm in alarms
                )
            )

    def _active_incident_for(self, region):
        """The active incident covering the zone (it or a zone above it)."""
        ancestors = [int(zone) for zone in region.parent_path.split("/") if zone]
        return self.env["telecom.incident"].search(
            [
                ("state", "in", ACTIVE_INCIDENT_STATES),
                ("region_ids", "in", ancestors),
            ],
            order="date_start desc",
            limit=1,
        )

    def _open_incident(self, region, alarms):
        worst = (
            "critical"
            if "critical" in alarms.mapped("perceived_severity")
            else ("major")
        )
        first = alarms.sorted("raised_at")[:1]
        service_types = {
            kind.strip()
            for kind in (first.network_element_id.service_types or "").split(",")
            if kind.strip()
        }
        return self.env["telecom.incident"].create(
            {
                "name": self.env._(
                    "Network alarm: %(cause)s on %(element)s",
                    cause=first.probable_cause or first.alarm_type or "-",
                    element=first.network_element_id.name
                    or first.alarmed_object_id
                    or region.name,
                ),
                "severity": worst,
                "region_ids": [(6, 0, region.ids)],
                "affected_cells": ", ".join(
                    sorted(set(alarms.mapped("alarmed_object_id")) - {False})
                ),
                "service_type": service_types.pop()
                if len(service_types) == 1
                else False,
                "date_start": first.raised_at or fields.Datetime.now(),
                "company_id": first.company_id.id or self.env.company.id,
            }
        )
