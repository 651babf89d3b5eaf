import time

from odoo import fields, models

from .telecom_billing_snapshot import CARD_REFRESH_BUDGET


class TelecomAccount(models.Model):
    _inherit = "telecom.account"

    bss_snapshot_ids = fields.One2many(
        "telecom.billing.snapshot", "account_id", string="Billing Data"
    )

    def _bss_billing_ref(self):
        self.ensure_one()
        return self.billing_reference or self.name

    def _bss_refresh_billing(self, live=False, budget=CARD_REFRESH_BUDGET):
        """Refresh the snapshots of these accounts; return the accounts refreshed.

        ``live``: an agent (or a subscriber) waits, ``budget`` seconds in all with
        the short time-out; the accounts left when the budget is spent are
        refreshed by a queue job.
        """
        deadline = time.monotonic() + budget if live else None
        snapshots = self.env["telecom.billing.snapshot"]._bss_ensure(self)
        refreshed = self.browse()
        late = self.browse()
        Backend = self.env["telecom.backend"]
        for snapshot in snapshots:
            account = snapshot.account_id
            backend = Backend._bss_find(
                "billing", account.company_id, account.region_id
            )
            if not backend:
                continue
            if deadline and time.monotonic() > deadline:
                late |= account
                continue
            if snapshot._bss_fetch(backend, live=live, deadline=deadline):
                refreshed |= account
        late._bss_enqueue_refresh()
        return refreshed

    def _bss_enqueue_refresh(self):
        """One background refresh per account, however many ask for it."""
        for account in self:
            account.with_delay(
                channel="root.telecom_bss",
                priority=20,
                identity_key=f"telecom.account.refresh:{account.id}",
                description=self.env._(
                    "Refresh billing data of %(account)s", account=account.name
                ),
            )._bss_refresh_billing_job()

    def _bss_refresh_billing_job(self):
        """Queue job: refresh with the backend's normal time-outs."""
        refreshed = self._bss_refresh_billing(live=False)
        return f"refreshed {len(refreshed)} of {len(self)} accounts"
