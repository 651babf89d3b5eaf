from odoo import fields, models

from ..tools.selections import CHANNELS

KPI_PHASES = [
    ("before", "Before Go-Live"),
    ("after", "After Go-Live"),
    ("no_go_live", "No Go-Live Date"),
]
KPI_TRENDS = [
    ("improving", "Improving"),
    ("stable", "Stable"),
    ("worsening", "Worsening"),
]


class TelecomKpiMeasurement(models.Model):
    """One month of one KPI in one zone (and breakdown: channel, team,
    priority...): the numerator and denominator it was computed from, its
    value, the baseline it is compared with, the target and the trend.

    Written only by :meth:`telecom.kpi._recompute` (cron and the Recompute
    button); read per zone by the supervisors of the zone.
    """

    _name = "telecom.kpi.measurement"
    _description = "KPI Measurement"
    _order = "period_start desc, kpi_id, region_id"
    _rec_name = "kpi_id"

    kpi_id = fields.Many2one(
        "telecom.kpi", string="KPI", required=True, index=True, ondelete="cascade"
    )
    unit = fields.Selection(related="kpi_id.unit")
    direction = fields.Selection(related="kpi_id.direction")
    period_start = fields.Date(string="Month", required=True, index=True)
    company_id = fields.Many2one("res.company", string="Branch", index=True)
    region_id = fields.Many2one("telecom.region", string="Zone", index=True)
    channel = fields.Selection(CHANNELS)
    numerator = fields.Float(digits=(16, 2))
    denominator = fields.Float(digits=(16, 2))
    value = fields.Float(digits=(16, 2), aggregator="avg")
    baseline_value = fields.Float(string="Baseline", digits=(16, 2), aggregator="avg")
    has_baseline = fields.Boolean()
    change_vs_baseline = fields.Float(
        string="Change vs Baseline", digits=(16, 2), aggregator="avg"
    )
    trend = fields.Selection(KPI_TRENDS)
    target = fields.Float(digits=(16, 2), aggregator="avg")
    target_met = fields.Boolean()
    phase = fields.Selection(KPI_PHASES, required=True, default="no_go_live")
    is_baseline = fields.Boolean(
        string="Baseline Month",
        help="One of the months before the go-live that make the baseline.",
    )
