"""Small SQL building blocks shared by the models."""

from odoo.tools import SQL


def card_ranked_ids(key, records, domain, partner_column, order_by, limit):
    """Part of the card's query: the first ``limit`` ids of each subscriber
    among ``records._search(domain)`` (so within the user's record rules), as
    ``(key, partner id, id, position)`` rows.

    ``order_by`` is a function of the table alias returning the ``SQL`` ranking
    the rows of one subscriber.
    """
    records.flush_model()
    # archived rows too (tickets, say): the card lists the history
    query = records.with_context(active_test=False)._search(domain)
    alias = query.table
    partner = SQL.identifier(alias, partner_column)
    ranked = query.select(
        SQL.identifier(alias, "id"),
        SQL("%s AS partner_id", partner),
        SQL(
            "row_number() OVER (PARTITION BY %s ORDER BY %s) AS position",
            partner,
            order_by(alias),
        ),
    )
    return SQL(
        """SELECT %s::text, partner_id, id, position
             FROM (%s) ranked WHERE position <= %s""",
        key,
        ranked,
        limit,
    )


def card_counts(key, records, domain, partner_column, group_column=None):
    """Part of the card's query: the count of ``records._search(domain)`` per
    subscriber (and per ``group_column``, appended to ``key`` after a colon),
    as ``(key, partner id, count, 0)`` rows."""
    records.flush_model()
    query = records._search(domain)
    alias = query.table
    partner = SQL.identifier(alias, partner_column)
    label = SQL("%s::text", key)
    if group_column:
        label = SQL("%s::text || ':' || %s", key, SQL.identifier(alias, group_column))
        query.groupby = SQL("%s, %s", partner, SQL.identifier(alias, group_column))
    else:
        query.groupby = partner
    return query.select(label, partner, SQL("count(*)"), SQL("0"))


def card_rows(cr, parts):
    """Run the card's parts as one statement: {(key, partner id): [values]},
    each list in the part's order."""
    if not parts:
        return {}
    cr.execute(
        SQL(
            "SELECT * FROM (%s) card ORDER BY 1, 2, 4",
            SQL(" UNION ALL ").join(SQL("(%s)", part) for part in parts),
        )
    )
    rows = {}
    for key, partner_id, value, _position in cr.fetchall():
        rows.setdefault((key, partner_id), []).append(value)
    return rows


def card_count(rows, key, partner_id):
    """The count of ``key`` for ``partner_id`` in ``card_rows``' result."""
    return rows.get((key, partner_id), [0])[0]
