from odoo import fields, models
from odoo.tools.misc import formatLang

# seconds the Telegram cron waits for billing per account before answering with
# the last known figures (the webhook itself never waits: answers are made by
# the cron)
TELEGRAM_REFRESH_BUDGET = 3.0


class TelecomTelegramChat(models.Model):
    _inherit = "telecom.telegram.chat"

    def _telegram_account_line(self, account):
        text = super()._telegram_account_line(account)
        figures = self._telegram_billing_figures(account)
        return f"{text}\n{figures}" if figures else text

    def _telegram_billing_figures(self, account):
        """Balance and debt of ``account`` from its billing snapshot, refreshed
        live within ``TELEGRAM_REFRESH_BUDGET`` when stale; billing down or
        slow: the last figures with their age. Empty when no billing system
        serves the account."""
        backend = self.env["telecom.backend"]._bss_find(
            "billing", account.company_id, account.region_id
        )
        snapshot = self.env["telecom.billing.snapshot"]._bss_ensure(account)
        if not backend and not snapshot.fetched_at:
            return ""
        now = fields.Datetime.now()
        if backend and snapshot._is_stale_at(now):
            account._bss_refresh_billing(live=True, budget=TELEGRAM_REFRESH_BUDGET)
            now = fields.Datetime.now()
        if not snapshot.fetched_at:
            return self.env._("Balance: billing does not answer right now, try later.")
        currency = snapshot.currency_code or snapshot.currency_id.name or ""
        lines = [
            self.env._(
                "Balance: %(amount)s %(currency)s",
                amount=formatLang(self.env, snapshot.balance, digits=2),
                currency=currency,
            )
        ]
        if snapshot.debt:
            lines.append(
                self.env._(
                    "Debt: %(amount)s %(currency)s",
                    amount=formatLang(self.env, snapshot.debt, digits=2),
                    currency=currency,
                )
            )
        lines.append(snapshot._age_label(now))
        return "\n".join(lines)
