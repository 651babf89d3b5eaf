from datetime import timezone

from odoo import api, fields, models

from ..tools.api_schema import ApiError, parse_datetime

# TMF field -> model field, for the plain (string / boolean) attributes
PLAIN_FIELDS = {
    "alarmType": "alarm_type",
    "perceivedSeverity": "perceived_severity",
    "probableCause": "probable_cause",
    "specificProblem": "specific_problem",
    "ackState": "ack_state",
    "ackSystemId": "ack_system_id",
    "ackUserId": "ack_user_id",
    "alarmDetails": "alarm_details",
    "alarmEscalation": "alarm_escalation",
    "alarmedObjectType": "alarmed_object_type",
    "clearSystemId": "clear_system_id",
    "clearUserId": "clear_user_id",
    "externalAlarmId": "external_alarm_id",
    "isRootCause": "is_root_cause",
    "plannedOutageIndicator": "planned_outage_indicator",
    "proposedRepairedActions": "proposed_repaired_actions",
    "reportingSystemId": "reporting_system_id",
    "serviceAffecting": "service_affecting",
    "sourceSystemId": "source_system_id",
}
TIME_FIELDS = {
    "alarmRaisedTime": "raised_at",
    "alarmChangedTime": "changed_at",
    "alarmClearedTime": "cleared_at",
    "alarmReportingTime": "reported_at",
}
JSON_FIELDS = {"place": "places", "affectedService": "affected_services"}
FILTERS = {
    "state": "state",
    "perceivedSeverity": "perceived_severity",
    "alarmType": "alarm_type",
    "ackState": "ack_state",
    "sourceSystemId": "source_system_id",
    "alarmedObject.id": "alarmed_object_id",
    "externalAlarmId": "external_alarm_id",
}


def _selection(values):
    return [(value, value) for value in values]


class TelecomAlarm(models.Model):
    """A TMF642 alarm raised by the OSS on a network element.

    The OSS raises, updates, acknowledges and clears alarms through the TMF642
    API; each knows its zone (from the network element, or its place), which
    is what the helpdesk bridge groups into mass incidents.
    """

    _name = "telecom.alarm"
    _description = "Network Alarm (TMF642)"
    _order = "raised_at desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    external_alarm_id = fields.Char(index="btree_not_null", readonly=True)
    source_system_id = fields.Char(readonly=True)
    reporting_system_id = fields.Char(readonly=True)
    alarm_type = fields.Char(readonly=True)
    perceived_severity = fields.Selection(
        [
            ("critical", "Critical"),
            ("major", "Major"),
            ("minor", "Minor"),
            ("warning", "Warning"),
            ("indeterminate", "Indeterminate"),
            ("cleared", "Cleared"),
        ],
        string="Severity",
        readonly=True,
        index=True,
    )
    probable_cause = fields.Char(readonly=True)
    specific_problem = fields.Char(readonly=True)
    state = fields.Selection(
        [("raised", "Raised"), ("updated", "Updated"), ("cleared", "Cleared")],
        required=True,
        default="raised",
        readonly=True,
        index=True,
    )
    ack_state = fields.Selection(
        [("acknowledged", "Acknowledged"), ("unacknowledged", "Unacknowledged")],
        string="Acknowledgement",
        default="unacknowledged",
        readonly=True,
    )
    ack_system_id = fields.Char(readonly=True)
    ack_user_id = fields.Char(readonly=True)
    clear_system_id = fields.Char(readonly=True)
    clear_user_id = fields.Char(readonly=True)
    alarmed_object_id = fields.Char(
        string="Alarmed Object ID", index=True, readonly=True
    )
    alarmed_object_type = fields.Char(readonly=True)
    network_element_id = fields.Many2one(
        "telecom.network.element", readonly=True, ondelete="set null", index=True
    )
    region_id = fields.Many2one(
        "telecom.region", string="Zone", readonly=True, index=True, ondelete="set null"
    )
    raised_at = fields.Datetime(readonly=True, index=True)
    changed_at = fields.Datetime(readonly=True)
    cleared_at = fields.Datetime(readonly=True)
    reported_at = fields.Datetime(readonly=True)
    alarm_details = fields.Text(readonly=True)
    alarm_escalation = fields.Boolean(readonly=True)
    is_root_cause = fields.Boolean(readonly=True)
    service_affecting = fields.Boolean(readonly=True)
    planned_outage_indicator = fields.Selection(
        _selection(["inService", "outOfService"]), readonly=True
    )
    proposed_repaired_actions = fields.Text(readonly=True)
    places = fields.Json(readonly=True)
    affected_services = fields.Json(readonly=True)
    comments = fields.Json(readonly=True)
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "external_uniq",
            "unique(source_system_id, external_alarm_id)",
            "This alarm of this system is already known.",
        ),
    ]

    @api.depends("perceived_severity", "probable_cause", "alarmed_object_id")
    def _compute_name(self):
        for alarm in self:
            alarm.name = " / ".join(
                part
                for part in (
                    alarm.perceived_severity,
                    alarm.probable_cause,
                    alarm.alarmed_object_id,
                )
                if part
            )

    # ------------------------------------------------------------------
    # API (called by the TMF642 controller as the integration user)
    # ------------------------------------------------------------------
    @api.model
    def _api_raise(self, payload):
        """Raise an alarm; the same external alarm raised again updates it."""
        existing = self._find_external(payload)
        if existing:
            existing._api_update(payload)
            return existing
        values = self._prepare_values(payload, creating=True)
        alarm = self.create(values)
        alarm._on_alarms_changed()
        return alarm

    def _api_update(self, payload):
        """Update / acknowledge / clear (TMF642 PATCH semantics)."""
        self.ensure_one()
        if self.state == "cleared" and payload.get("state") not in (None, "cleared"):
            raise ApiError(
                409,
                "ALARM_CLEARED",
                self.env._("Alarm is cleared"),
                self.env._("A cleared alarm cannot be raised again; raise a new one."),
            )
        values = self._prepare_values(payload, creating=False)
        values["comments"] = (self.comments or []) + values.pop("comments", [])
        if not payload.get("state") and self._is_change(values):
            values["state"] = "updated" if self.state == "raised" else self.state
        self.write(values)
        self._on_alarms_changed()
        return self

    @api.model
    def _api_search(self, filters, offset=0, limit=100):
        """(alarms, total) matching the TMF filters, newest first."""
        Api = self.env["telecom.api"]
        domain = Api._api_filter_domain(filters, FILTERS)
        return Api._api_search_page(self, domain, offset, limit)

    def _on_alarms_changed(self):
        """Hook for the addons reacting to alarms (mass incidents: the bridge)."""

    # ------------------------------------------------------------------
    # mapping TMF <-> model
    # ------------------------------------------------------------------
    @api.model
    def _find_external(self, payload):
        if not payload.get("externalAlarmId"):
            return self.browse()
        return self.search(
            [
                ("external_alarm_id", "=", payload["externalAlarmId"]),
                ("source_system_id", "=", payload.get("sourceSystemId") or False),
                ("state", "!=", "cleared"),
            ],
            limit=1,
        )

    @api.model
    def _prepare_values(self, payload, creating):
        values = {
            field_name: payload[key]
            for key, field_name in PLAIN_FIELDS.items()
            if key in payload
        }
        if not creating:
            values.pop("source_system_id", None)
            values.pop("external_alarm_id", None)
        for key, field_name in TIME_FIELDS.items():
            if payload.get(key):
                values[field_name] = self._utc(payload[key])
        for key, field_name in JSON_FIELDS.items():
            if key in payload:
                values[field_name] = payload[key]
        if "comment" in payload:
            values["comments"] = payload["comment"]
        if payload.get("state"):
            values["state"] = payload["state"]
            if payload["state"] == "cleared":
                values.setdefault("cleared_at", fields.Datetime.now())
        if payload.get("perceivedSeverity") == "cleared":
            values["state"] = "cleared"
            values.setdefault("cleared_at", fields.Datetime.now())
        if "alarmedObject" in payload:
            values["alarmed_object_id"] = payload["alarmedObject"].get("id") or False
        if "alarmedObject" in payload or "place" in payload:
            values.update(self._locate(payload))
        values.setdefault("changed_at", fields.Datetime.now())
        if creating:
            values.setdefault("raised_at", fields.Datetime.now())
            values.setdefault("reported_at", fields.Datetime.now())
        return values

    @api.model
    def _utc(self, text):
        moment = parse_datetime(text)
        if moment.tzinfo:  # a moment without offset is taken as UTC
            moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
        return moment

    @api.model
    def _locate(self, payload):
        """Network element and zone of the alarm: element mapping, then place."""
        object_id = (payload.get("alarmedObject") or {}).get("id")
        element = self.env["telecom.network.element"]
        if object_id:
            element = element.search([("code", "=", object_id)], limit=1)
        region = element.region_id
        if not region:
            region = self._region_from_places(payload.get("place") or [])
        return {"network_element_id": element.id, "region_id": region.id}

    @api.model
    def _region_from_places(self, places):
        codes = [place.get("id") for place in places if place.get("id")]
        names = [place.get("name") for place in places if place.get("name")]
        if not codes and not names:
            return self.env["telecom.region"]
        return self.env["telecom.region"].search(
            ["|", ("code", "in", codes), ("name", "in", names)], limit=1
        )

    def _is_change(self, values):
        return any(
            self[field_name] != value
            for field_name, value in values.items()
            if field_name
            in ("perceived_severity", "probable_cause", "specific_problem")
        )

    def _tmf_dict(self, base_url, fields_filter=None):
        """The TMF642 representation (only ``fields_filter`` + id/href if given)."""
        self.ensure_one()
        data = {
            "id": self.id,
            "href": f"{base_url}/tmf-api/alarmManagement/v4/alarm/{self.id}",
            "@type": "Alarm",
            "state": self.state,
            "ackState": self.ack_state,
        }
        for key, field_name in PLAIN_FIELDS.items():
            value = self[field_name]
            if value not in (False, None, ""):
                data[key] = value
        for key, field_name in TIME_FIELDS.items():
            if self[field_name]:
                data[key] = self[field_name].isoformat() + "Z"
        for key, field_name in JSON_FIELDS.items():
            if self[field_name]:
                data[key] = self[field_name]
        if self.comments:
            data["comment"] = self.comments
        if self.alarmed_object_id:
            data["alarmedObject"] = {"id": self.alarmed_object_id}
        if fields_filter:
            keep = set(fields_filter) | {"id", "href"}
            data = {key: value for key, value in data.items() if key in keep}
        return data
