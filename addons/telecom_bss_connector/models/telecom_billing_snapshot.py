import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL, format_datetime

from ..adapters.base import BssError, NotSupportedError
from ..tools import mappers

_logger = logging.getLogger(__name__)

CARD_REFRESH_BUDGET = 3.0  # seconds an agent may wait for the card's live data
CARD_CHARGES = 20
CARD_USAGE = 50


class TelecomBillingSnapshot(models.Model):
    """The last known billing data of an account: what the card shows.

    Opening the card reads this row only. It is refreshed on demand with a
    short time-out (``action_refresh``), by a queue job, or invalidated by
    billing events; when billing is slow or down the last values stay, marked
    stale with their age.
    """

    _name = "telecom.billing.snapshot"
    _description = "Billing Data of an Account"
    _order = "account_id"
    _rec_name = "account_id"

    account_id = fields.Many2one(
        "telecom.account", required=True, readonly=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        related="account_id.partner_id", store=True, index=True, string="Subscriber"
    )
    company_id = fields.Many2one(
        related="account_id.company_id", store=True, index=True
    )
    region_id = fields.Many2one(
        related="account_id.region_id", store=True, string="Zone"
    )
    backend_id = fields.Many2one("telecom.backend", readonly=True, ondelete="set null")
    currency_id = fields.Many2one(related="company_id.currency_id")
    currency_code = fields.Char(string="Billing Currency", readonly=True)
    balance = fields.Monetary(readonly=True)
    debt = fields.Monetary(readonly=True)
    credit_limit = fields.Monetary(readonly=True)
    restrictions = fields.Json(string="Restriction Codes", readonly=True)
    restrictions_display = fields.Char(
        string="Restrictions", compute="_compute_restrictions_display"
    )
    billing_status = fields.Char(string="Status in Billing", readonly=True)
    services = fields.Json(string="Services in Billing", readonly=True)
    charges = fields.Json(readonly=True)
    usage = fields.Json(string="Usage Details", readonly=True)
    fetched_at = fields.Datetime(
        string="Data From", readonly=True, help="When billing last answered."
    )
    last_attempt_at = fields.Datetime(readonly=True)
    invalidated_at = fields.Datetime(
        readonly=True, help="A billing event said these figures changed."
    )
    error = fields.Char(string="Last Error", readonly=True)
    is_stale = fields.Boolean(string="Stale", compute="_compute_freshness")
    age_label = fields.Char(string="Freshness", compute="_compute_freshness")
    charges_html = fields.Html(
        string="Recent Charges", compute="_compute_tables", sanitize=False
    )
    usage_html = fields.Html(
        string="Usage Details (detalization)", compute="_compute_tables", sanitize=False
    )

    _sql_constraints = [
        ("account_uniq", "unique(account_id)", "One billing snapshot per account."),
    ]

    @api.depends("restrictions")
    def _compute_restrictions_display(self):
        for snapshot in self:
            snapshot.restrictions_display = ", ".join(snapshot.restrictions or [])

    @api.depends("fetched_at", "last_attempt_at", "error", "invalidated_at")
    def _compute_freshness(self):
        now = fields.Datetime.now()
        for snapshot in self:
            snapshot.is_stale = snapshot._is_stale_at(now)
            snapshot.age_label = snapshot._age_label(now)

    def _is_stale_at(self, now):
        self.ensure_one()
        if not self.fetched_at:
            return True
        ttl = self.backend_id.cache_ttl or 300
        return bool(
            now - self.fetched_at > timedelta(seconds=ttl)
            or (self.invalidated_at and self.invalidated_at >= self.fetched_at)
            or (
                self.error
                and self.last_attempt_at
                and self.last_attempt_at >= self.fetched_at
            )
        )

    def _age_label(self, now):
        self.ensure_one()
        if not self.fetched_at:
            if self.error:
                return self.env._("Billing unavailable: %(error)s", error=self.error)
            return self.env._("Not loaded from billing yet")
        age = self._human_age(now - self.fetched_at)
        failed = (
            self.error
            and self.last_attempt_at
            and self.last_attempt_at >= self.fetched_at
        )
        if failed:
            return self.env._(
                "Billing unavailable, showing data from %(time)s (%(age)s)",
                time=format_datetime(self.env, self.fetched_at, dt_format="short"),
                age=age,
            )
        return self.env._("As of %(age)s", age=age)

    def _human_age(self, delta):
        minutes = int(delta.total_seconds() // 60)
        if minutes < 1:
            return self.env._("just now")
        if minutes < 60:
            return self.env._("%(minutes)s min ago", minutes=minutes)
        if minutes < 48 * 60:
            return self.env._("%(hours)s h ago", hours=minutes // 60)
        return self.env._("%(days)s days ago", days=minutes // (24 * 60))

    @api.depends("charges", "usage")
    def _compute_tables(self):
        QWeb = self.env["ir.qweb"]
        for snapshot in self:
            snapshot.charges_html = QWeb._render(
                "telecom_bss_connector.billing_snapshot_charges",
                {"charges": snapshot.charges or [], "snapshot": snapshot},
            )
            snapshot.usage_html = QWeb._render(
                "telecom_bss_connector.billing_snapshot_usage",
                {"usage": snapshot.usage or [], "snapshot": snapshot},
            )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_refresh(self):
        """Ask billing now (short time-out); stale values stay if it fails."""
        # the refresh writes the snapshots as the system: the user must be able
        # to read them (record rules: the agent's zones)
        self.check_access("read")
        self.account_id._bss_refresh_billing(live=True)
        return True

    # ------------------------------------------------------------------
    # refresh
    # ------------------------------------------------------------------
    @api.model
    def _bss_ensure(self, accounts):
        """The snapshots of ``accounts``, created empty where missing (race-safe)."""
        if accounts:
            accounts.flush_recordset(["partner_id", "company_id", "region_id"])
            self.env.cr.execute(
                SQL(
                    """INSERT INTO telecom_billing_snapshot
                           (account_id, partner_id, company_id, region_id,
                            create_uid, create_date, write_uid, write_date)
                       SELECT a.id, a.partner_id, a.company_id, a.region_id,
                              %(uid)s, now() at time zone 'utc',
                              %(uid)s, now() at time zone 'utc'
                         FROM telecom_account a WHERE a.id = ANY(%(ids)s)
                       ON CONFLICT (account_id) DO NOTHING""",
                    uid=self.env.uid,
                    ids=accounts.ids,
                )
            )
            # rows inserted in SQL: the ORM forgets what it knew of the lists
            self.env["telecom.account"].invalidate_model(["bss_snapshot_ids"])
            self.env["res.partner"].invalidate_model(["telecom_billing_snapshot_ids"])
        # sudo: a snapshot is a cache of billing data the user may read on the
        # account; the refresh writes it on the user's behalf
        return self.sudo().search([("account_id", "in", accounts.ids)])

    def _bss_fetch(self, backend, live=False, deadline=None):
        """Fetch this snapshot's account from ``backend``; write what came back."""
        self.ensure_one()
        account_ref = self.account_id.billing_reference or self.account_id.name
        now = fields.Datetime.now()
        try:
            values = mappers.account_values(
                backend._bss_call(
                    "get_account", account_ref, live=live, deadline=deadline
                )
            )
            values["charges"] = self._bss_fetch_list(
                backend, "get_charges", account_ref, CARD_CHARGES, live, deadline
            )
            values["usage"] = self._bss_fetch_list(
                backend, "get_usage", account_ref, CARD_USAGE, live, deadline
            )
        except BssError as error:
            self.write(
                {
                    "backend_id": backend.id,
                    "last_attempt_at": now,
                    "error": backend._bss_transport_message(error)[:250],
                }
            )
            return False
        values.update(
            backend_id=backend.id,
            fetched_at=now,
            last_attempt_at=now,
            error=False,
        )
        self.write(values)
        return True

    def _bss_fetch_list(self, backend, operation, account_ref, limit, live, deadline):
        """Charges or usage: the previous list stays when billing cannot say."""
        field_name = "charges" if operation == "get_charges" else "usage"
        if deadline and time.monotonic() > deadline:
            return self[field_name]
        mapper = (
            mappers.charges_values
            if operation == "get_charges"
            else mappers.usage_list_values
        )
        try:
            return mapper(
                backend._bss_call(
                    operation, account_ref, limit=limit, live=live, deadline=deadline
                )
            )
        except NotSupportedError:
            return []
        except BssError as error:
            _logger.info(
                "%s of %s not refreshed: %s", operation, account_ref, error.message
            )
            return self[field_name]

    def _bss_invalidate(self):
        """A billing event changed the figures: the next card opening refreshes."""
        self.write({"invalidated_at": fields.Datetime.now()})
