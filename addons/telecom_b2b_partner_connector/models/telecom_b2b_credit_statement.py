import logging
from collections import Counter

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

_logger = logging.getLogger(__name__)

BILLING_STATUSES = [
    ("none", "Not Sent"),
    ("pending", "On Its Way"),
    ("done", "Posted"),
    ("failed", "Failed"),
]
LIVE_SERVICE_STATES = ("active", "blocked")
# orders that have credited the account, or still may: never queued twice
LIVE_ORDER_STATES = ("pending", "dead", "done")
FAILED_ORDER_STATES = ("rejected", "dead")


class TelecomB2bCreditStatement(models.Model):
    """An approved statement goes to billing as adjustments (credits), one per
    billing account of the contract with credit, through the connector's outbox:
    billing down means queued and retried, never lost, never posted twice (the
    order's key is the adjustment's external reference). The statement goes
    *Sent to Billing* once billing posted them all."""

    _inherit = "telecom.b2b.credit.statement"

    billing_order_ids = fields.One2many(
        "telecom.outbox",
        "b2b_credit_statement_id",
        string="Billing Adjustments",
        readonly=True,
    )
    billing_status = fields.Selection(
        BILLING_STATUSES, compute="_compute_billing", string="Billing"
    )
    billing_adjustment_refs = fields.Char(
        compute="_compute_billing",
        string="Billing Adjustment IDs",
        help="The ids billing gave the adjustments it posted.",
    )
    billing_error = fields.Text(
        compute="_compute_billing",
        help="Why adjustments are not posted yet: billing's refusal, or the last "
        "error of a delivery that is retried.",
    )

    @api.depends(
        "billing_order_ids.state",
        "billing_order_ids.external_order_id",
        "billing_order_ids.last_error",
    )
    def _compute_billing(self):
        for statement in self:
            orders = statement._b2b_current_orders()
            states = set(orders.mapped("state"))
            if states & set(FAILED_ORDER_STATES):
                statement.billing_status = "failed"
            elif "pending" in states:
                statement.billing_status = "pending"
            elif states == {"done"}:
                statement.billing_status = "done"
            else:
                statement.billing_status = "none"
            statement.billing_adjustment_refs = ", ".join(
                orders.filtered(lambda order: order.state == "done").mapped(
                    "external_order_id"
                )
            )
            statement.billing_error = (
                "\n".join(
                    f"{order.account_ref}: {order.delivery_label}: "
                    f"{order.response_message or order.last_error}"
                    for order in orders
                    if order.state != "done"
                    and (order.response_message or order.last_error)
                )
                or False
            )

    def _b2b_current_orders(self):
        """The newest order of each billing account (a refused one may have been
        sent again under a new key)."""
        self.ensure_one()
        # sudo: the statement's billing status covers all its adjustments, also
        # those of accounts in zones the user does not read
        orders = self.sudo().billing_order_ids.sorted("id", reverse=True)
        newest = {}
        for order in orders:
            newest.setdefault(order.account_ref, order)
        return self.env["telecom.outbox"].sudo().concat(*newest.values())

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_send_to_billing(self):
        """A B2B manager sends approved credits to billing as adjustments."""
        self._check_supervisor()
        self._check_state_for(("approved",), self.env._("send to billing"))
        on_the_way = self.filtered(lambda s: s.billing_status == "pending")
        if on_the_way:
            raise UserError(
                self.env._(
                    "The adjustments of %(statement)s are already on their way to "
                    "billing.",
                    statement=on_the_way[0].name,
                )
            )
        self._b2b_send_to_billing(raise_if_impossible=True)
        return True

    def action_refuse(self):
        credited = self.filtered(
            lambda s: any(
                state in ("pending", "done")
                for state in s.sudo().billing_order_ids.mapped("state")
            )
        )
        if credited:
            raise UserError(
                self.env._(
                    "Cannot refuse %(statement)s: its adjustments are posted or on "
                    "their way to billing.",
                    statement=credited[0].name,
                )
            )
        result = super().action_refuse()
        # sudo: the orders of a refused statement never leave (system data)
        self.sudo().billing_order_ids.filtered(
            lambda order: order.state == "dead"
        ).write({"state": "cancelled", "next_attempt_at": False})
        return result

    # ------------------------------------------------------------------
    # cron
    # ------------------------------------------------------------------
    @api.model
    def _get_billing_due_domain(self):
        """Approved statements never sent to billing."""
        return [("state", "=", "approved"), ("billing_order_ids", "=", False)]

    @api.model
    def _cron_send_to_billing(self, batch_size=100):
        """Send the approved statements to billing, one batch per run."""
        statements = self.search(
            self._get_billing_due_domain(), order="id", limit=batch_size
        )
        statements._b2b_send_to_billing(raise_if_impossible=False)
        remaining = batch_size if len(statements) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(statements), remaining=remaining)

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------
    def _b2b_send_to_billing(self, raise_if_impossible):
        """Queue the adjustments not queued yet; a statement without credit is
        sent at once. Statements that cannot go (no billing system, no billing
        account) raise, or are skipped and logged for the cron."""
        allocations = self._b2b_billing_allocations()
        vals_list = []
        for statement in self:
            shares = allocations[statement.id]
            if statement._b2b_has_no_credit():
                statement._b2b_mark_sent(self.env._("nothing to credit"))
                continue
            problem = statement._b2b_billing_problem(shares)
            if problem:
                if raise_if_impossible:
                    raise UserError(problem)
                _logger.warning(
                    "credit statement %s not sent to billing: %s", statement.id, problem
                )
                continue
            vals_list += statement._b2b_prepare_adjustment_vals_list(
                statement._b2b_unsent(shares)
            )
        if vals_list:
            self.env["telecom.outbox"]._bss_create(vals_list)

    def _b2b_has_no_credit(self):
        self.ensure_one()
        return float_is_zero(
            self.amount_total, precision_rounding=self.currency_id.rounding
        )

    def _b2b_billing_problem(self, shares):
        """Why the statement's credit cannot go to billing, or False."""
        self.ensure_one()
        if not shares:
            return self.env._(
                "Credit statement %(statement)s has no billing account to credit: "
                "the contract covers no live service.",
                statement=self.name,
            )
        if not self._b2b_backend():
            return self.env._(
                "No billing system serves %(statement)s: configure one in the "
                "BSS connector's external systems.",
                statement=self.name,
            )
        if not self._b2b_unsent(shares):
            return self.env._(
                "Every adjustment of %(statement)s is posted or on its way; an "
                "adjustment in dead letter is retried from the billing outbox.",
                statement=self.name,
            )
        return False

    def _b2b_backend(self):
        self.ensure_one()
        return self.env["telecom.backend"]._bss_find(
            "billing", self.company_id, self.region_id
        )

    def _b2b_billing_allocations(self):
        """{statement id: [(account, amount)]}: the credit shared among the
        billing accounts of the services the contract covers (its services, else
        the live services of the sites it covers), in proportion to their
        number of services; the rounding goes to the last account."""
        # sudo: the credit is shared among all the accounts the contract covers,
        # whatever zones the sending user reads
        statements = self.sudo()
        covered = statements.contract_id._get_covered_partner_ids()
        partner_ids = set().union(set(), *covered.values())
        services = (
            self.env["telecom.service"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", list(partner_ids)),
                    ("state", "in", LIVE_SERVICE_STATES),
                ]
            )
        )
        result = {}
        for statement in statements:
            contract = statement.contract_id
            scope = contract.service_ids or services.filtered(
                lambda service, c=contract: service.partner_id.id in covered[c.id]
            )
            counts = Counter(scope.account_id)
            result[statement.id] = statement._b2b_shares(counts)
        return result

    def _b2b_shares(self, counts):
        """[(account, amount)] of the accounts with credit."""
        self.ensure_one()
        currency = self.currency_id
        total = self.amount_total
        if self._b2b_has_no_credit() or not counts:
            return []
        accounts = sorted(counts, key=lambda account: account.id)
        services = sum(counts.values())
        shares, given = [], 0.0
        for index, account in enumerate(accounts):
            if index == len(accounts) - 1:
                amount = currency.round(total - given)
            else:
                amount = currency.round(total * counts[account] / services)
            given += amount
            if amount > 0:
                shares.append((account, amount))
        return shares

    def _b2b_unsent(self, shares):
        """The shares of the accounts without an adjustment posted or on its way."""
        self.ensure_one()
        # sudo: earlier orders of the statement, whatever zones the user reads
        sent = {
            order.account_ref
            for order in self.sudo().billing_order_ids
            if order.state in LIVE_ORDER_STATES
        }
        return [
            (account, amount)
            for account, amount in shares
            if (account.billing_reference or account.name) not in sent
        ]

    def _b2b_prepare_adjustment_vals_list(self, shares):
        self.ensure_one()
        backend = self._b2b_backend()
        Outbox = self.env["telecom.outbox"]
        reason = self.env._("Service credit %(statement)s", statement=self.name)
        vals_list = []
        for account, amount in shares:
            vals = Outbox._bss_prepare_adjustment_vals(
                backend,
                self._b2b_adjustment_key(account),
                account,
                amount,
                reason,
                self.period_start,
            )
            vals["b2b_credit_statement_id"] = self.id
            vals_list.append(vals)
        return vals_list

    def _b2b_adjustment_key(self, account):
        """The adjustment's external reference: the same on every attempt; a
        new one only when billing refused the previous adjustment."""
        self.ensure_one()
        key = f"B2B-CREDIT-{self.id}-{account.id}"
        # sudo: earlier orders of the statement, whatever zones the user reads
        earlier = self.sudo().billing_order_ids.filtered(
            lambda order: order.idempotency_key.startswith(key)
        )
        return f"{key}-{len(earlier)}" if earlier else key

    # ------------------------------------------------------------------
    # billing's answers (from the delivery job)
    # ------------------------------------------------------------------
    def _b2b_on_billing_done(self):
        """Sent to billing once billing posted every adjustment."""
        for statement in self:
            if statement.state == "approved" and statement.billing_status == "done":
                statement._b2b_mark_sent(statement.billing_adjustment_refs)

    def _b2b_on_billing_failed(self, order):
        """Billing refused an adjustment, or its delivery gave up: say it on the
        statement, to its approver."""
        for statement in self:
            # sudo: billing's answer is a system event; the delivery job may run
            # as a user who does not read the statement's zone
            statement.sudo().message_post(
                body=self.env._(
                    "Adjustment %(key)s for account %(account)s is not posted "
                    "(%(status)s): %(error)s",
                    key=order.idempotency_key,
                    account=order.account_ref,
                    status=order.delivery_label,
                    error=order.response_message or order.last_error or "",
                ),
                partner_ids=statement.approved_by_id.partner_id.ids,
                subtype_xmlid="mail.mt_note",
            )

    def _b2b_mark_sent(self, adjustments):
        """Approved → sent; journaled on the contract's customer timeline."""
        self.ensure_one()
        # sudo: billing's confirmation moves the statement whoever runs the job
        statement = self.sudo()
        statement._mark_sent()
        statement.message_post(
            body=self.env._(
                "Sent to billing: %(amount)s credited (%(adjustments)s).",
                amount=statement._b2b_amount_label(),
                adjustments=adjustments,
            ),
            subtype_xmlid="mail.mt_note",
        )
        statement._b2b_journal_sent(adjustments)

    def _b2b_amount_label(self):
        self.ensure_one()
        return f"{self.amount_total:.2f} {self.currency_id.name}"

    def _b2b_journal_sent(self, adjustments):
        """The credit on the contract's timeline: a business event and a row of
        the customer's interactions."""
        self.ensure_one()
        contract = self.contract_id
        summary = self.env._(
            "Service credits %(statement)s sent to billing: %(amount)s",
            statement=self.name,
            amount=self._b2b_amount_label(),
        )
        self.env["telecom.event"]._emit(
            "b2b_credit.sent",
            [
                {
                    "partner_id": contract.partner_id.id,
                    "res_model": contract._name,
                    "res_id": contract.id,
                    "summary": summary,
                    "region_id": contract.region_id.id,
                    "company_id": contract.company_id.id,
                    "payload": {
                        "contract": contract.name,
                        "statement": self.name,
                        "period": fields.Date.to_string(self.period_start),
                        "amount": self.amount_total,
                        "currency": self.currency_id.name,
                        "adjustments": self.billing_adjustment_refs or "",
                    },
                }
            ],
        )
        self.env["telecom.interaction"].create(
            {
                "partner_id": contract.partner_id.id,
                "channel": "system",
                "direction": "internal",
                "summary": summary,
                "res_model": contract._name,
                "res_id": contract.id,
                "company_id": contract.company_id.id,
            }
        )
