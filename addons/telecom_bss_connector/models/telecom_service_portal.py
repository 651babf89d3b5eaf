from datetime import timedelta

from odoo import fields, models
from odoo.tools import float_round

PORTAL_REFRESH_BUDGET = 2.0  # seconds a subscriber waits for live billing data
PORTAL_CHARGES = 10
# (usage kind, figure of telecom.usage.monthly, allowance on the tariff, factor
# from the allowance to the figure's unit)
PORTAL_ALLOWANCES = (
    ("data", "data_mb", "telecom_included_data_gb", 1024.0),
    ("voice", "voice_minutes", "telecom_included_minutes", 1.0),
    ("sms", "sms_count", "telecom_included_sms", 1.0),
)


class TelecomService(models.Model):
    _inherit = "telecom.service"

    def _portal_billing_summary(self, refresh=True):
        """What the subscriber sees of billing on this line, JSON-ready.

        Checked with the caller's rights (another subscriber's line raises
        AccessError, a missing one MissingError: callers answer both alike).
        ``billing``: the account's balance and last charges from the billing
        snapshot, refreshed live within ``PORTAL_REFRESH_BUDGET`` when stale;
        billing down or slow leaves the last snapshot, ``is_stale`` with its
        age in ``age_label``. Only the account holder gets it (``None`` for the
        user of a line, and where no billing system serves the line).
        ``usage``: the line's last month known against the tariff's allowances
        (``None`` when billing gave no month yet).
        """
        self.ensure_one()
        self.check_access("read")
        return {
            "billing": (
                self._portal_billing_figures(refresh=refresh)
                if self._portal_is_holder()
                else None
            ),
            "usage": self._portal_usage_figures(),
        }

    def _portal_billing_snapshot(self, refresh=True):
        """The snapshot of the line's account, refreshed when stale."""
        # sudo: the holder may read the billing data of their own account (rights
        # checked by the caller); the system asks billing on their behalf
        account = self.sudo().account_id
        snapshot = self.env["telecom.billing.snapshot"]._bss_ensure(account)
        if refresh and snapshot._is_stale_at(fields.Datetime.now()):
            account._bss_refresh_billing(live=True, budget=PORTAL_REFRESH_BUDGET)
        return snapshot

    def _portal_billing_figures(self, refresh=True):
        account = self.sudo().account_id
        if not account.bss_snapshot_ids.fetched_at and not self.env[
            "telecom.backend"
        ]._bss_find("billing", account.company_id, account.region_id):
            return None  # no billing system serves the line: nothing to show
        snapshot = self._portal_billing_snapshot(refresh=refresh)
        now = fields.Datetime.now()
        charges = sorted(
            snapshot.charges or [],
            key=lambda charge: charge.get("date") or "",
            reverse=True,
        )[:PORTAL_CHARGES]
        return {
            "account": snapshot.account_id.name,
            "currency": snapshot.currency_code or snapshot.currency_id.name,
            "balance": snapshot.balance if snapshot.fetched_at else None,
            "debt": snapshot.debt if snapshot.fetched_at else None,
            "credit_limit": snapshot.credit_limit if snapshot.fetched_at else None,
            "fetched_at": fields.Datetime.to_string(snapshot.fetched_at) or None,
            "is_stale": snapshot._is_stale_at(now),
            "age_label": snapshot._age_label(now),
            "charges": [
                {
                    "date": charge.get("date"),
                    "amount": charge.get("amount"),
                    "description": charge.get("description"),
                    "msisdn": charge.get("msisdn"),
                }
                for charge in charges
            ],
        }

    def _portal_usage_figures(self):
        # sudo: the monthly figures of a line the caller may read (checked by
        # the caller); portal users have no access to the usage table
        month = (
            self.env["telecom.usage.monthly"]
            .sudo()
            .search([("service_id", "=", self.id)], order="month desc", limit=1)
        )
        if not month:
            return None
        tariff = self.sudo().tariff_id
        current = fields.Date.context_today(self).replace(day=1)
        items = []
        for kind, figure, allowance, factor in PORTAL_ALLOWANCES:
            included = (tariff[allowance] or 0) * factor
            used = month[figure] or 0
            items.append(
                {
                    "kind": kind,
                    "used": float_round(used, 2),
                    "included": float_round(included, 2) or None,
                    "percent": (
                        min(100, round(100 * used / included)) if included else None
                    ),
                }
            )
        return {
            "month": fields.Date.to_string(month.month),
            "is_current_month": month.month == current,
            "is_previous_month": month.month
            == (current - timedelta(days=1)).replace(day=1),
            "items": items,
        }
