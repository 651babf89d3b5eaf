from odoo import api, fields, models


class TelecomSegmentSnapshot(models.Model):
    """The members of a segment frozen at one moment (e.g. a campaign launch)."""

    _name = "telecom.segment.snapshot"
    _description = "Segment Snapshot"
    _order = "date desc, id desc"

    name = fields.Char(required=True)
    segment_id = fields.Many2one(
        "telecom.segment", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="segment_id.company_id", store=True)
    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    member_count = fields.Integer(readonly=True)
    member_ids = fields.One2many(
        "telecom.segment.member", "snapshot_id", string="Members"
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_segment_members(self):
        # the member rows have no foreign key (see telecom.segment.member)
        self.env["telecom.segment.member"]._delete_snapshots(self.ids)
