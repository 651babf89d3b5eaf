from odoo import models


class TelecomAccount(models.Model):
    """Billing's last known debt of the account counts for the changes of owner."""

    _inherit = "telecom.account"

    def _get_outstanding_debt(self):
        """The larger of the billed months' debt and the billing snapshot's."""
        debt = super()._get_outstanding_debt()
        snapshot = self.bss_snapshot_ids.filtered("fetched_at")[:1]
        return max(debt, snapshot.debt) if snapshot else debt
