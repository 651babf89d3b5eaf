from odoo import fields, models

from odoo.addons.telecom_campaigns.models.telecom_segment_condition import (
    SEGMENT_FIELDS,
)

# the metrics columns of this bridge segments may test (alias "m": the metrics row)
HELPDESK_SEGMENT_FIELDS = {
    "open_ticket_count": "Open Tickets",
    "sla_breach_count_90d": "SLA Breaches Suffered (90 days)",
    "incident_count_90d": "Incidents Suffered (90 days)",
}
for _key, _label in HELPDESK_SEGMENT_FIELDS.items():
    SEGMENT_FIELDS[_key] = (_label, "number", "m", _key)


class TelecomSegmentCondition(models.Model):
    _inherit = "telecom.segment.condition"

    field_name = fields.Selection(
        selection_add=list(HELPDESK_SEGMENT_FIELDS.items()),
        ondelete=dict.fromkeys(HELPDESK_SEGMENT_FIELDS, "cascade"),
    )
