"""The event feed's transaction id on the events already recorded.

Events recorded before the feed existed get transaction id 0: they are all
committed, and every consumer delivers them first, in id order. Added with a
constant default, the column costs no table rewrite (PostgreSQL 11+ keeps the
value in the catalogue), which matters on a large event log; the model's init()
then gives new rows the writing transaction's id.

Without this script (module updated without a version change), the ORM adds the
column and fills it with the field's default (0) itself, only more slowly.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE telecom_event"
        " ADD COLUMN IF NOT EXISTS txid bigint NOT NULL DEFAULT 0"
    )
