"""Set-based creation of records with one ``INSERT … SELECT`` per model.

For imports of tens of thousands of rows, where ``create`` (one Python pass per
record for defaults, computes, constraints and cache) is the bottleneck. The
caller has checked the rows already and gives the SQL of the values; this helper
adds what ``create`` adds without asking: the defaults of the other stored fields
(evaluated once: only constant defaults fit), the log-access columns, and then the
stored computed fields the caller did not give (computed by the ORM, in batch).
"""

from odoo.tools import SQL

LOG_ACCESS = ("create_uid", "create_date", "write_uid", "write_date")


def _default_columns(model, given):
    """``{column: value}`` of the constant defaults of the stored fields not given."""
    names = [
        name
        for name, field in model._fields.items()
        if field.store
        and field.column_type
        and not field.compute
        and not field.company_dependent
        and name not in given
        and name not in LOG_ACCESS
        and name != "id"
    ]
    defaults = model.default_get(names)
    return {
        name: model._fields[name].convert_to_column_insert(value, model, defaults)
        for name, value in defaults.items()
        if name in names
    }


def insert_select(model, columns, from_sql):
    """``INSERT INTO <model> (columns, defaults, log access) SELECT … FROM …``.

    ``columns`` maps field names to ``SQL`` expressions over ``from_sql`` (which
    includes ``FROM``'s content and any ``WHERE``); it gives ``id`` (ids drawn
    before from the table's sequence) so that the caller knows the new records.
    Returns the number of rows inserted.
    """
    env = model.env
    defaults = _default_columns(model, columns)
    now = SQL("(now() AT TIME ZONE 'UTC')")
    values = dict(columns)
    values.update({name: SQL("%s", value) for name, value in defaults.items()})
    if model._log_access:
        values.update(
            create_uid=SQL("%s", env.uid),
            create_date=now,
            write_uid=SQL("%s", env.uid),
            write_date=now,
        )
    env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) SELECT %s FROM %s",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(name) for name in values),
            SQL(", ").join(values.values()),
            from_sql,
        )
    )
    return env.cr.rowcount


def compute_missing(model, ids, given):
    """Compute the stored computed fields of the new ``ids`` not in ``given``."""
    fields_to_compute = [
        field
        for name, field in model._fields.items()
        if field.store and field.compute and name not in given
    ]
    if not (ids and fields_to_compute):
        return
    records = model.browse(ids)
    for field in fields_to_compute:
        model.env.add_to_compute(field, records)
    model.flush_model([field.name for field in fields_to_compute])
