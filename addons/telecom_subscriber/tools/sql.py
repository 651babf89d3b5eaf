"""Small SQL building blocks shared by the models."""

from odoo.tools import SQL


def top_ids_per_partner(cr, table, order_by, partner_ids, limit):
    """Ids of the first ``limit`` rows of each partner of ``table``, in one query.

    ``order_by`` (an ``SQL``) ranks the rows of one partner; the ids come back
    grouped by partner, in rank order. With an index on (partner_id, <order>)
    PostgreSQL stops reading each partner's rows at ``limit``.
    """
    cr.execute(
        SQL(
            """SELECT id FROM (
                   SELECT id, partner_id,
                          row_number() OVER (PARTITION BY partner_id ORDER BY %(order)s)
                              AS position
                     FROM %(table)s
                    WHERE partner_id = ANY(%(partners)s)
               ) ranked
              WHERE position <= %(limit)s
              ORDER BY partner_id, position""",
            order=order_by,
            table=SQL.identifier(table),
            partners=list(partner_ids),
            limit=limit,
        )
    )
    return [row[0] for row in cr.fetchall()]
