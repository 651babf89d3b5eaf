from odoo import api, fields, models

from odoo.addons.telecom_subscriber.tools.sql import card_count, card_counts


class ResPartner(models.Model):
    """The card's Billing tab: the snapshots of the subscriber's accounts."""

    _inherit = "res.partner"

    telecom_billing_snapshot_ids = fields.One2many(
        "telecom.billing.snapshot", "partner_id", string="Billing"
    )
    telecom_billing_stale = fields.Boolean(
        string="Billing Data Stale", compute="_compute_telecom_card"
    )

    @api.depends("telecom_billing_snapshot_ids.fetched_at")
    def _compute_telecom_card(self):
        return super()._compute_telecom_card()

    def _telecom_card_parts(self):
        """The accounts the snapshots are compared with, in the card's statement."""
        return super()._telecom_card_parts() + [
            card_counts(
                "accounts",
                self.env["telecom.account"],
                [("partner_id", "in", self._origin.ids)],
                "partner_id",
            )
        ]

    def _telecom_card_assign(self, rows):
        result = super()._telecom_card_assign(rows)
        now = fields.Datetime.now()
        for partner in self:
            snapshots = partner.telecom_billing_snapshot_ids
            partner.telecom_billing_stale = len(snapshots) < card_count(
                rows, "accounts", partner._origin.id
            ) or any(snapshot._is_stale_at(now) for snapshot in snapshots)
        return result

    def action_telecom_refresh_billing(self):
        """Refresh the billing data of the card (called by the card's widget)."""
        self.ensure_one()
        self.check_access("read")  # the refresh writes the cache as the system
        accounts = self.telecom_account_ids.filtered(lambda a: a.state != "closed")
        refreshed = accounts[:10]._bss_refresh_billing(live=True)
        return {"refreshed": len(refreshed), "accounts": len(accounts)}
