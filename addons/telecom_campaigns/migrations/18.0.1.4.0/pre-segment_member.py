"""Segment members: rows without foreign keys nor creator/writer columns.

``telecom.segment.member`` is no longer a table the ORM manages (``_auto =
False``): its ``init()`` keeps the same table with the same rows, ids and entry
dates. What the ORM had added goes: the foreign keys (checked row by row by
PostgreSQL: most of the time of a segment's materialisation), the
creator/writer columns and the indexes of its own on the subscriber and the
snapshot (the two unique indexes serve every lookup). Rows of subscribers,
segments or snapshots deleted are deleted by their ``unlink`` from now on.
"""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """SELECT conname FROM pg_constraint
            WHERE conrelid = 'telecom_segment_member'::regclass AND contype = 'f'"""
    )
    for (name,) in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE telecom_segment_member DROP CONSTRAINT %s",
                SQL.identifier(name),
            )
        )
    cr.execute(
        """DELETE FROM ir_model_constraint
            WHERE type = 'f' AND model = (SELECT id FROM ir_model
                                           WHERE model = 'telecom.segment.member')"""
    )
    cr.execute(
        """ALTER TABLE telecom_segment_member
               DROP COLUMN IF EXISTS create_uid, DROP COLUMN IF EXISTS create_date,
               DROP COLUMN IF EXISTS write_uid, DROP COLUMN IF EXISTS write_date"""
    )
    cr.execute("DROP INDEX IF EXISTS telecom_segment_member__partner_id_index")
    cr.execute("DROP INDEX IF EXISTS telecom_segment_member__snapshot_id_index")
