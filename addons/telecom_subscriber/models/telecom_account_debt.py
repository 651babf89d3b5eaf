from odoo import models
from odoo.tools import SQL


class TelecomAccount(models.Model):
    """What an account owes, for the processes that need it settled first
    (change of owner). Billing integrations override :meth:`_get_outstanding_debt`
    with billing's live figure."""

    _inherit = "telecom.account"

    def _get_outstanding_debt(self):
        """Hook: the debt of this account (0 when none is known).

        Base: the debt billing reported for the last billed month of each of
        the account's lines (``telecom.usage.monthly``), summed.
        """
        self.ensure_one()
        usage = self.env["telecom.usage.monthly"]
        usage.flush_model(["account_id", "service_id", "month", "debt_amount"])
        # a front-office agent may not read every line of the account (zones);
        # the figure is billing's, read by key on this account only
        self.env.cr.execute(
            SQL(
                """SELECT COALESCE(SUM(debt_amount), 0) FROM (
                       SELECT DISTINCT ON (service_id) debt_amount
                         FROM telecom_usage_monthly
                        WHERE account_id = %(account)s
                        ORDER BY service_id, month DESC) last_months""",
                account=self.id,
            )
        )
        return float(self.env.cr.fetchone()[0] or 0.0)
