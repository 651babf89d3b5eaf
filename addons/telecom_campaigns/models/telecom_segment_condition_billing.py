"""Segment conditions on billing's figures (ARPU, usage, device, debt...).

Added as entries of the condition tables of ``telecom_segment_condition`` from
this file, so that the conditions' own file stays the segments' business: number
and yes/no figures of the metrics row, and a device type (a kind of its own, with
its value field and its SQL predicate).
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_subscriber.tools.selections import DEVICE_TYPES

from .telecom_segment_condition import OPERATORS_BY_KIND, SEGMENT_FIELDS

BILLING_FIELDS = [
    ("arpu_trend_pct", "ARPU Trend (%)", "number"),
    ("usage_drop_pct", "Usage Drop (%)", "number"),
    ("data_usage_mb", "Data Usage Last Month (MB)", "number"),
    ("voice_usage_minutes", "Voice Usage Last Month (min)", "number"),
    ("roaming_mb", "Roaming Data Last Month (MB)", "number"),
    ("debt_amount", "Debt", "number"),
    ("months_paid_late", "Months Paid Late", "number"),
    ("paid_share_pct", "Share Paid (%)", "number"),
    ("roaming_used", "Roams", "boolean"),
    ("device_5g", "5G-Capable Device", "boolean"),
    ("device_type", "Device Type", "device_type"),
]
for _key, _label, _kind in BILLING_FIELDS:
    # columns of the metrics row (alias m) named as the key
    SEGMENT_FIELDS[_key] = (_label, _kind, "m", _key)
OPERATORS_BY_KIND["device_type"] = ("=", "!=")


class TelecomSegmentCondition(models.Model):
    _inherit = "telecom.segment.condition"

    field_name = fields.Selection(
        selection_add=[(key, label) for key, label, _kind in BILLING_FIELDS],
        ondelete={key: "cascade" for key, _label, _kind in BILLING_FIELDS},
    )
    field_kind = fields.Selection(selection_add=[("device_type", "Device Type")])
    value_device_type = fields.Selection(DEVICE_TYPES, string="Device Type")

    @api.constrains("field_name", "value_device_type")
    def _check_device_type(self):
        for condition in self:
            if condition.field_kind == "device_type" and not (
                condition.value_device_type
            ):
                raise ValidationError(self.env._("Choose a device type."))

    @api.depends(
        "is_group",
        "match",
        "field_name",
        "operator",
        "value_number",
        "value_number_to",
        "value_segment",
        "value_text",
        "value_device_type",
        "region_ids",
        "tariff_ids",
        "option_ids",
        "child_ids",
        "child_ids.summary",
    )
    def _compute_summary(self):
        res = super()._compute_summary()
        devices = dict(
            self._fields["value_device_type"]._description_selection(self.env)
        )
        for node in self:
            if not node.is_group and node.field_kind == "device_type":
                node.summary = " ".join(
                    part
                    for part in (node.summary, devices.get(node.value_device_type))
                    if part
                )
        return res

    def _get_sql_device_type(self, field):
        """Null-safe: "differs from" matches the subscribers of unknown device."""
        match = SQL("COALESCE(%s = %s, FALSE)", field, self.value_device_type or "")
        return match if self.operator == "=" else SQL("NOT %s", match)
