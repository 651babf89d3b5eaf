from odoo import fields, models
from odoo.tools import SQL


class TelecomSegmentMember(models.Model):
    """A subscriber in a segment: the live membership (``snapshot_id`` empty) or
    a frozen snapshot of it. Rows are written in SQL by the segment only."""

    _name = "telecom.segment.member"
    _description = "Segment Member"
    _order = "segment_id, partner_id"
    _rec_name = "partner_id"

    segment_id = fields.Many2one(
        "telecom.segment", required=True, readonly=True, ondelete="cascade"
    )
    snapshot_id = fields.Many2one(
        "telecom.segment.snapshot",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    region_id = fields.Many2one("telecom.region", string="Zone", readonly=True)
    tariff_id = fields.Many2one("product.product", string="Tariff Plan", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    churn_risk = fields.Integer(readonly=True)
    date_entered = fields.Datetime(
        string="In Segment Since", readonly=True, help="When the subscriber entered."
    )

    def init(self):
        # one live row and one row per snapshot for each subscriber
        for name, columns, where in (
            ("live", "segment_id, partner_id", "snapshot_id IS NULL"),
            ("snapshot", "snapshot_id, partner_id", "snapshot_id IS NOT NULL"),
        ):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX IF NOT EXISTS %s ON telecom_segment_member "
                    "(%s) WHERE %s",
                    SQL.identifier(f"telecom_segment_member_{name}_uniq"),
                    SQL(columns),
                    SQL(where),
                )
            )
