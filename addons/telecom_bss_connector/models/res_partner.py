from odoo import api, fields, models


class ResPartner(models.Model):
    """The card's Billing tab: the snapshots of the subscriber's accounts."""

    _inherit = "res.partner"

    telecom_billing_snapshot_ids = fields.One2many(
        "telecom.billing.snapshot", "partner_id", string="Billing"
    )
    telecom_billing_stale = fields.Boolean(
        string="Billing Data Stale", compute="_compute_telecom_billing_stale"
    )

    @api.depends("telecom_billing_snapshot_ids.fetched_at")
    def _compute_telecom_billing_stale(self):
        now = fields.Datetime.now()
        account_counts = dict(
            self.env["telecom.account"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            snapshots = partner.telecom_billing_snapshot_ids
            partner.telecom_billing_stale = len(snapshots) < account_counts.get(
                partner, 0
            ) or any(snapshot._is_stale_at(now) for snapshot in snapshots)

    def action_telecom_refresh_billing(self):
        """Refresh the billing data of the card (called by the card's widget)."""
        self.ensure_one()
        self.check_access("read")  # the refresh writes the cache as the system
        accounts = self.telecom_account_ids.filtered(lambda a: a.state != "closed")
        refreshed = accounts[:10]._bss_refresh_billing(live=True)
        return {"refreshed": len(refreshed), "accounts": len(accounts)}
