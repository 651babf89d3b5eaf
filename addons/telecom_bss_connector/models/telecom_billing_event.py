from datetime import timezone

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.telecom_subscriber.tools.numbering import normalize_msisdn

from ..tools.api_schema import parse_datetime

EVENT_TYPES = [
    ("payment_received", "Payment Received"),
    ("balance_low", "Balance Low"),
    ("usage_threshold", "Usage Threshold Reached"),
    ("invoice_issued", "Invoice Issued"),
]


class TelecomBillingEvent(models.Model):
    """A fact billing pushed to the CRM, recorded once per ``event_id``.

    Each matched event lands on the subscriber's timeline (channel Billing) and
    as a ``billing.<type>`` business event campaigns can trigger on; the
    account's billing data is marked as changed.
    """

    _name = "telecom.billing.event"
    _description = "Billing Event"
    _order = "occurred_at desc, id desc"
    _rec_name = "event_id"

    event_id = fields.Char(string="Event ID", required=True, readonly=True)
    event_type = fields.Selection(EVENT_TYPES, required=True, readonly=True, index=True)
    account_ref = fields.Char(string="Billing Account", readonly=True, index=True)
    msisdn = fields.Char(string="MSISDN", readonly=True)
    amount = fields.Float(readonly=True)
    currency_code = fields.Char(string="Currency", readonly=True)
    occurred_at = fields.Datetime(readonly=True)
    details = fields.Json(readonly=True)
    account_id = fields.Many2one("telecom.account", readonly=True, ondelete="set null")
    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", readonly=True, index="btree_not_null"
    )
    service_id = fields.Many2one("telecom.service", readonly=True, ondelete="set null")
    state = fields.Selection(
        [("processed", "Processed"), ("unmatched", "No Such Account")],
        readonly=True,
        required=True,
        default="processed",
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, index=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("event_uniq", "unique(event_id)", "This billing event was already received."),
    ]

    @api.model
    def _api_receive(self, events):
        """Record billing events; already received ids are skipped (idempotent).

        Returns counts and one status per event, in order.
        """
        statuses, fresh = self._split_duplicates(events)
        accounts = self._accounts_by_ref([event["account"] for event in fresh])
        services = self._services_by_msisdn(fresh)
        records = self.create(
            [self._prepare_vals(event, accounts, services) for event in fresh]
        )
        matched = records.filtered("partner_id")
        matched._publish()
        # sudo: the integration user marks the cached billing figures as changed;
        # it does not read or write them otherwise
        matched.account_id.sudo().bss_snapshot_ids._bss_invalidate()
        state_by_id = {record.event_id: record.state for record in records}
        results = [
            {
                "event_id": event["event_id"],
                "status": statuses.get(index)
                or (
                    "created"
                    if state_by_id[event["event_id"]] == "processed"
                    else "unmatched"
                ),
            }
            for index, event in enumerate(events)
        ]
        return {
            "received": len(events),
            "created": len(matched),
            "duplicates": sum(1 for r in results if r["status"] == "duplicate"),
            "unmatched": len(records) - len(matched),
            "results": results,
        }

    @api.model
    def _split_duplicates(self, events):
        ids = [event["event_id"] for event in events]
        known = set(self.search([("event_id", "in", ids)]).mapped("event_id"))
        statuses, fresh, seen = {}, [], set()
        for index, event in enumerate(events):
            if event["event_id"] in known or event["event_id"] in seen:
                statuses[index] = "duplicate"
                continue
            seen.add(event["event_id"])
            fresh.append(event)
        return statuses, fresh

    @api.model
    def _accounts_by_ref(self, refs):
        if not refs:
            return {}
        accounts = self.env["telecom.account"].search(
            ["|", ("billing_reference", "in", refs), ("name", "in", refs)]
        )
        by_ref = {account.name: account for account in accounts}
        by_ref.update({a.billing_reference: a for a in accounts if a.billing_reference})
        return by_ref

    @api.model
    def _services_by_msisdn(self, events):
        numbers = {}
        for event in events:
            if event.get("msisdn"):
                try:
                    numbers[event["msisdn"]] = normalize_msisdn(
                        self.env, event["msisdn"]
                    )
                except ValidationError:
                    continue
        if not numbers:
            return {}
        services = self.env["telecom.service"].search(
            [("msisdn", "in", list(numbers.values())), ("state", "!=", "terminated")]
        )
        by_number = {service.msisdn: service for service in services}
        return {
            raw: by_number[normalized]
            for raw, normalized in numbers.items()
            if normalized in by_number
        }

    @api.model
    def _prepare_vals(self, event, accounts, services):
        account = accounts.get(event["account"], self.env["telecom.account"])
        service = services.get(event.get("msisdn"), self.env["telecom.service"])
        if service and account and service.account_id != account:
            service = self.env["telecom.service"]
        occurred = parse_datetime(event["occurred_at"])
        if occurred.tzinfo:
            occurred = occurred.astimezone(timezone.utc).replace(tzinfo=None)
        return {
            "event_id": event["event_id"],
            "event_type": event["type"],
            "account_ref": event["account"],
            "msisdn": event.get("msisdn") or False,
            "amount": event.get("amount") or 0.0,
            "currency_code": event.get("currency") or False,
            "occurred_at": occurred,
            "details": event.get("details") or {},
            "account_id": account.id,
            "partner_id": account.partner_id.id,
            "service_id": service.id,
            "state": "processed" if account else "unmatched",
            "company_id": account.company_id.id or self.env.company.id,
        }

    def _publish(self):
        """Timeline rows and business events, set-based."""
        labels = dict(self._fields["event_type"]._description_selection(self.env))
        self.env["telecom.interaction"].create(
            [
                {
                    "partner_id": event.partner_id.id,
                    "service_id": event.service_id.id,
                    "channel": "billing",
                    "direction": "inbound",
                    "summary": event._timeline_summary(labels),
                    "date": event.occurred_at,
                    "external_reference": event.event_id,
                    "res_model": self._name,
                    "res_id": event.id,
                    "company_id": event.company_id.id,
                }
                for event in self
            ]
        )
        for event_type, events in self.grouped("event_type").items():
            self.env["telecom.event"]._emit(
                f"billing.{event_type}",
                [
                    {
                        "partner_id": event.partner_id.id,
                        "service_id": event.service_id.id,
                        "res_model": self._name,
                        "res_id": event.id,
                        "summary": event.event_id,
                        "company_id": event.company_id.id,
                        "payload": {
                            "event_id": event.event_id,
                            "account": event.account_ref,
                            "msisdn": event.msisdn or None,
                            "amount": event.amount,
                            "currency": event.currency_code or None,
                            "occurred_at": fields.Datetime.to_string(event.occurred_at),
                            "details": event.details or {},
                        },
                    }
                    for event in events
                ],
            )

    def _timeline_summary(self, labels):
        self.ensure_one()
        if self.event_type == "usage_threshold":
            details = self.details or {}
            return self.env._(
                "%(label)s: %(what)s",
                label=labels[self.event_type],
                what=details.get("threshold") or details.get("type") or "-",
            )
        amount = format(self.amount, ".2f")
        return self.env._(
            "%(label)s: %(amount)s %(currency)s",
            label=labels[self.event_type],
            amount=amount,
            currency=self.currency_code or "",
        )
