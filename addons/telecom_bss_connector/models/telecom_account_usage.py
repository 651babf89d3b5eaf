import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..adapters.base import BssError, NotSupportedError, TransportError
from ..tools import mappers

_logger = logging.getLogger(__name__)

USAGE_MONTHS = 6  # closed months asked on each pull (ARPU trends need 3)
USAGE_MAX_AGE_HOURS = 20  # a month's figures are pulled again after this
USAGE_RETRY_MINUTES = 15  # an account billing failed on waits this long
# billing failing this many times in a row: the batch's other accounts of that
# backend are not asked (they wait for the retry like the failed ones)
USAGE_FAILURES_IN_A_ROW = 3


class TelecomAccount(models.Model):
    """Monthly usage and charges pulled from billing into ``telecom.usage.monthly``.

    The cron walks the accounts due (never pulled, or pulled more than
    ``USAGE_MAX_AGE_HOURS`` ago) in batches: one call per account, then one upsert
    and one update of the batch. An account billing did not answer for (time-out,
    5xx, outage) keeps its old figures and stays due: it is asked again after
    ``USAGE_RETRY_MINUTES``, so a failure loses nothing.
    """

    _inherit = "telecom.account"

    bss_usage_fetched_at = fields.Datetime(
        string="Monthly Usage From",
        readonly=True,
        copy=False,
        index=True,
        help="When billing last gave the monthly usage and charges of the account.",
    )
    bss_usage_attempt_at = fields.Datetime(
        string="Monthly Usage Asked At", readonly=True, copy=False
    )
    bss_usage_error = fields.Char(
        string="Monthly Usage Error", readonly=True, copy=False
    )

    @api.model
    def _cron_bss_pull_monthly_usage(self, batch_size=200, months=USAGE_MONTHS):
        """Pull one batch of accounts due; the scheduler runs again while some
        remain (progress reported to ``ir.cron``)."""
        if not self.env["telecom.backend"].search_count([("kind", "=", "billing")]):
            return 0
        now = fields.Datetime.now()
        domain = self._bss_usage_due_domain(now)
        accounts = self.search(domain, order="id", limit=batch_size)
        done = len(accounts._bss_pull_monthly_usage(months=months, now=now))
        remaining = self.search_count(domain) if len(accounts) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(accounts), remaining=remaining)
        return done

    @api.model
    def _bss_usage_due_domain(self, now):
        stale = now - timedelta(hours=USAGE_MAX_AGE_HOURS)
        retry = now - timedelta(minutes=USAGE_RETRY_MINUTES)
        return [
            "|",
            ("bss_usage_fetched_at", "=", False),
            ("bss_usage_fetched_at", "<", stale),
            "|",
            ("bss_usage_attempt_at", "=", False),
            ("bss_usage_attempt_at", "<", retry),
        ]

    def _bss_pull_monthly_usage(self, months=USAGE_MONTHS, now=None):
        """Ask billing the last ``months`` closed months of these accounts and
        store them; return the accounts billing answered for."""
        now = now or fields.Datetime.now()
        Backend = self.env["telecom.backend"]
        self.fetch(["name", "billing_reference", "company_id", "region_id"])
        services = self._bss_usage_services()
        rows, answered, errors, journals = [], self.browse(), {}, {}
        failures = {}  # backend -> transport failures in a row
        failed_account = {}  # backend -> the last account it failed on
        for account in self:
            backend = Backend._bss_find(
                "billing", account.company_id, account.region_id
            )
            if not backend:
                continue
            if failures.get(backend, 0) >= USAGE_FAILURES_IN_A_ROW:
                errors[account.id] = errors[failed_account[backend]]
                continue
            journal = journals.setdefault(backend, [])
            try:
                items = mappers.monthly_usage_list_values(
                    backend._bss_call(
                        "get_monthly_usage",
                        account._bss_billing_ref(),
                        months=months,
                        journal=journal,
                    )
                )
            except NotSupportedError:
                continue
            except BssError as error:
                errors[account.id] = backend._bss_transport_message(error)[:250]
                if isinstance(error, TransportError):
                    failures[backend] = failures.get(backend, 0) + 1
                    failed_account[backend] = account.id
                    _logger.info(
                        "monthly usage of %s not pulled, retried later: %s",
                        account.name,
                        error.message,
                    )
                continue
            failures[backend] = 0
            answered |= account
            rows += account._bss_usage_rows(items, services.get(account.id, []))
        for backend, journal in journals.items():
            backend._bss_journal(journal)
        # sudo: billing's figures and line terms, written by the system for the
        # accounts pulled
        self.env["telecom.service"].sudo()._apply_billing_terms(
            self._bss_usage_terms(rows)
        )
        self.env["telecom.usage.monthly"].sudo()._upsert_monthly(rows, "billing")
        self._bss_usage_mark(answered, errors, now)
        return answered

    def _bss_usage_services(self):
        """``{account id: [(service id, msisdn, service type, live)]}`` of these
        accounts, in one query."""
        self.env["telecom.service"].flush_model(
            ["account_id", "msisdn", "service_type", "state"]
        )
        self.env.cr.execute(
            SQL(
                """SELECT account_id, id, msisdn, service_type,
                          state != 'terminated'
                     FROM telecom_service
                    WHERE account_id = ANY(%s)
                    ORDER BY id""",
                self.ids,
            )
        )
        services = {}
        for account_id, *service in self.env.cr.fetchall():
            services.setdefault(account_id, []).append(tuple(service))
        return services

    def _bss_usage_rows(self, items, services):
        """Rows of ``_upsert_monthly`` for the months billing gave of this
        account: each matched to its line by MSISDN, else by the type of a line
        without number (the live one first); months of unknown lines are left."""
        self.ensure_one()
        rows = []
        for item in items:
            if item["msisdn"]:
                matches = [s for s in services if s[1] == item["msisdn"]]
            else:
                matches = [
                    s for s in services if not s[1] and s[2] == item["service_type"]
                ]
            if not matches:
                _logger.info(
                    "monthly usage of %s: no line %s here, month %s left",
                    self.name,
                    item["msisdn"] or item["service_type"],
                    item["month"],
                )
                continue
            live = [s for s in matches if s[3]]
            rows.append({**item, "service_id": (live or matches)[-1][0]})
        return rows

    @api.model
    def _bss_usage_terms(self, rows):
        """``{service id: terms}``: the commitment and promotion ends billing
        gave with the lines' months, the latest month's winning."""
        terms = {}
        for row in sorted(rows, key=lambda row: row["month"]):
            terms.setdefault(row["service_id"], {}).update(
                {
                    name: row[name]
                    for name in (
                        "commitment_end_date",
                        "promotion_name",
                        "promotion_end_date",
                    )
                    if row.get(name)
                }
            )
        return terms

    def _bss_usage_mark(self, answered, errors, now):
        """Note the attempt on every account, the success on those answered."""
        self.flush_recordset()
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_account a
                      SET bss_usage_attempt_at = %(now)s,
                          bss_usage_fetched_at = CASE WHEN a.id = ANY(%(answered)s)
                              THEN %(now)s ELSE a.bss_usage_fetched_at END,
                          bss_usage_error = CASE WHEN a.id = ANY(%(answered)s)
                              THEN NULL ELSE (%(errors)s::jsonb ->> a.id::text) END
                    WHERE a.id = ANY(%(ids)s)""",
                now=now,
                answered=answered.ids,
                errors=json.dumps({str(k): v for k, v in errors.items()}),
                ids=self.ids,
            )
        )
        self.invalidate_recordset(
            ["bss_usage_attempt_at", "bss_usage_fetched_at", "bss_usage_error"]
        )
