"""The marketing queue's rows without foreign keys (telecom.campaign.message).

The model's table is now made by its init() (``_auto = False``) without foreign
keys: PostgreSQL checked the subscriber's, the mailing's, the company's and the
creator's/writer's row by row, about a third of queueing a large audience. On an
existing database the constraints go here; deleting a subscriber or a mailing
is handled by their unlink since.
"""

from odoo.tools import SQL

FOREIGN_KEYS = ("partner_id", "mailing_id", "company_id", "create_uid", "write_uid")


def migrate(cr, version):
    if not version:
        return
    names = [f"telecom_campaign_message_{column}_fkey" for column in FOREIGN_KEYS]
    for name in names:
        cr.execute(
            SQL(
                "ALTER TABLE IF EXISTS telecom_campaign_message"
                " DROP CONSTRAINT IF EXISTS %s",
                SQL.identifier(name),
            )
        )
    cr.execute("DELETE FROM ir_model_constraint WHERE name = ANY(%s)", [names])
