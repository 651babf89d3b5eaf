from odoo import api, fields, models
from odoo.tools import SQL


class TelecomSegmentMember(models.Model):
    """A subscriber in a segment: the live membership (``snapshot_id`` empty) or
    a frozen snapshot of it. Rows are written in SQL by the segment only.

    A segment of half a million subscribers is half a million rows written at
    once: the table is made by :meth:`init` (``_auto = False``) as plain columns
    without foreign keys nor creator/writer columns. PostgreSQL checks a foreign
    key row by row (an index probe and a lock of the referenced row): with the
    eight the ORM would create, three quarters of the time of materialising a
    segment went into them. What the foreign keys did is done here instead: the
    rows of a deleted segment, snapshot or subscriber are deleted with it (the
    ``_unlink_segment_members`` hooks), zone, tariff and branch are copies the
    next refresh rewrites.
    """

    _name = "telecom.segment.member"
    _description = "Segment Member"
    _auto = False
    _order = "segment_id, partner_id"
    _rec_name = "partner_id"

    segment_id = fields.Many2one("telecom.segment", required=True, readonly=True)
    snapshot_id = fields.Many2one("telecom.segment.snapshot", readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", required=True, readonly=True
    )
    region_id = fields.Many2one("telecom.region", string="Zone", readonly=True)
    tariff_id = fields.Many2one("product.product", string="Tariff Plan", readonly=True)
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    churn_risk = fields.Integer(readonly=True)
    date_entered = fields.Datetime(
        string="In Segment Since", readonly=True, help="When the subscriber entered."
    )

    def init(self):
        cr = self.env.cr
        cr.execute(
            """CREATE TABLE IF NOT EXISTS telecom_segment_member (
                   id serial PRIMARY KEY,
                   segment_id integer NOT NULL,
                   snapshot_id integer,
                   partner_id integer NOT NULL,
                   region_id integer,
                   tariff_id integer,
                   company_id integer,
                   churn_risk integer,
                   date_entered timestamp without time zone
               )"""
        )
        # one live row and one row per snapshot for each subscriber; they also
        # serve the deletion of a subscriber's rows (see _delete_partners)
        for name, columns, where in (
            ("live", "segment_id, partner_id", "snapshot_id IS NULL"),
            ("snapshot", "snapshot_id, partner_id", "snapshot_id IS NOT NULL"),
        ):
            cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX IF NOT EXISTS %s ON telecom_segment_member "
                    "(%s) WHERE %s",
                    SQL.identifier(f"telecom_segment_member_{name}_uniq"),
                    SQL(columns),
                    SQL(where),
                )
            )

    @api.model
    def _delete_segments(self, segment_ids):
        """Delete the live and snapshot rows of the segments ``segment_ids``."""
        self._delete_rows(
            SQL("segment_id = ANY(%s) AND snapshot_id IS NULL", list(segment_ids)),
            SQL(
                """snapshot_id IN (SELECT id FROM telecom_segment_snapshot
                                    WHERE segment_id = ANY(%s))""",
                list(segment_ids),
            ),
        )

    @api.model
    def _delete_snapshots(self, snapshot_ids):
        self._delete_rows(SQL("snapshot_id = ANY(%s)", list(snapshot_ids)))

    @api.model
    def _delete_partners(self, partner_ids):
        """Delete the rows of the subscribers ``partner_ids``: through the two
        unique indexes, one probe per segment and per snapshot (no index of its
        own on the subscriber: one less to write per member)."""
        partner_ids = list(partner_ids)
        self._delete_rows(
            SQL(
                """snapshot_id IS NULL AND partner_id = ANY(%s)
                   AND segment_id = ANY(ARRAY(SELECT id FROM telecom_segment))""",
                partner_ids,
            ),
            SQL(
                """partner_id = ANY(%s) AND snapshot_id
                   = ANY(ARRAY(SELECT id FROM telecom_segment_snapshot))""",
                partner_ids,
            ),
        )

    def _delete_rows(self, *conditions):
        """One DELETE per condition (each one served by an index)."""
        for condition in conditions:
            self.env.cr.execute(
                SQL("DELETE FROM telecom_segment_member WHERE %s", condition)
            )
        self.env["telecom.segment"]._invalidate_members()
