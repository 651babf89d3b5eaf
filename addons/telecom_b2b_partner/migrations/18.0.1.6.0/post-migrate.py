"""Commission lines: the exclusion constraints of 18.0.1.2.0 give way to the
partial unique indexes that ``_auto_init`` creates (same rule, cheaper inserts);
agent and company are read from the statement and the activation request from
the service, so their columns (and foreign keys) go."""

from odoo.tools import SQL

OLD_COLUMNS = ("agent_id", "company_id", "request_id")
OLD_CONSTRAINTS = (
    "telecom_b2b_commission_statement_line_bonus_service_uniq",
    "telecom_b2b_commission_statement_line_clawback_service_uniq",
    "telecom_b2b_commission_statement_line_revenue_month_uniq",
)


def migrate(cr, version):
    for name in OLD_CONSTRAINTS:
        cr.execute(
            SQL(
                "ALTER TABLE telecom_b2b_commission_statement_line "
                "DROP CONSTRAINT IF EXISTS %s",
                SQL.identifier(name),
            )
        )
    cr.execute("DELETE FROM ir_model_constraint WHERE name IN %s", [OLD_CONSTRAINTS])
    for column in OLD_COLUMNS:
        cr.execute(
            SQL(
                "ALTER TABLE telecom_b2b_commission_statement_line "
                "DROP COLUMN IF EXISTS %s",
                SQL.identifier(column),
            )
        )
