"""A narrower marketing queue (telecom.campaign.message), cheaper to fill.

- ``dedup_key`` (source, channel and partner as text, unique) becomes
  ``dedup_scope`` (source and channel); the model's init() then creates the
  unique index on (partner_id, hash of the scope), which also serves the
  partner's lookups: the index on partner_id alone goes.
- ``region_id`` is no longer stored (read from the subscriber): the column goes
  with its foreign key and index.

Runs before the ORM sees the new model, so that the ORM does not add a required
column it cannot fill.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """SELECT 1 FROM information_schema.columns
            WHERE table_name = 'telecom_campaign_message'
              AND column_name = 'dedup_key'"""
    )
    if not cr.fetchone():
        return
    cr.execute(
        """ALTER TABLE telecom_campaign_message
               ADD COLUMN IF NOT EXISTS dedup_scope varchar"""
    )
    cr.execute(
        """UPDATE telecom_campaign_message
              SET dedup_scope = regexp_replace(dedup_key, ',[0-9]+$', '')"""
    )
    cr.execute(
        """ALTER TABLE telecom_campaign_message
               DROP CONSTRAINT IF EXISTS telecom_campaign_message_dedup_key_unique,
               DROP COLUMN dedup_key,
               DROP COLUMN IF EXISTS region_id"""
    )
    cr.execute(
        """DELETE FROM ir_model_constraint
            WHERE name = 'telecom_campaign_message_dedup_key_unique'"""
    )
    cr.execute("DROP INDEX IF EXISTS telecom_campaign_message__partner_id_index")
