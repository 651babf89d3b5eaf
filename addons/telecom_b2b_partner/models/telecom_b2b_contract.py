from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

CONTRACT_STATES = [
    ("draft", "Draft"),
    ("active", "Active"),
    ("expiring", "Expiring"),
    ("renewed", "Renewed"),
    ("terminated", "Terminated"),
]
TERMINATION_REASONS = [
    ("expired", "Term Ended"),
    ("customer_request", "Customer Request"),
    ("breach", "Breach of Contract"),
    ("replaced", "Replaced by Another Contract"),
]


class TelecomB2bContract(models.Model):
    """A contract with a corporate customer: what it covers (sites, services),
    for how long, at which prices and with which SLA terms.

    Lifecycle: draft → active → expiring (reminder before the end) → renewed
    (a successor contract continues it) or terminated. Every move is tracked
    in the chatter and journaled on the customer's timeline and event feed;
    the renewal side (reminders, auto-renewal) is in
    ``telecom_b2b_contract_renewal.py``.
    """

    _name = "telecom.b2b.contract"
    _description = "B2B Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number",
        required=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env["ir.sequence"].next_by_code(
            "telecom.b2b.contract"
        ),
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        domain="[('is_company', '=', True)]",
        tracking=True,
        help="The holding or legal entity that signs the contract.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        compute="_compute_from_partner",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        ondelete="restrict",
    )
    key_account_manager_id = fields.Many2one(
        "res.users",
        compute="_compute_from_partner",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        tracking=True,
    )
    state = fields.Selection(
        CONTRACT_STATES,
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    date_start = fields.Date(string="Start", required=True, tracking=True)
    date_end = fields.Date(string="End", required=True, tracking=True)
    reminder_days = fields.Integer(
        string="Remind Days Before End",
        default=30,
        help="The key account manager gets a renewal reminder this many days "
        "before the end of the contract.",
    )
    reminder_date = fields.Date(
        compute="_compute_reminder_date",
        store=True,
        index="btree_not_null",
        help="Day the renewal reminder is due.",
    )
    auto_renew = fields.Boolean(
        string="Auto-Renewal",
        tracking=True,
        help="At its end the contract renews itself for the renewal term, "
        "unless it was terminated before.",
    )
    renewal_months = fields.Integer(
        string="Renewal Term (Months)", default=12, tracking=True
    )
    site_ids = fields.Many2many(
        "res.partner",
        "telecom_b2b_contract_site_rel",
        "contract_id",
        "partner_id",
        string="Sites Covered",
        domain="[('is_company', '=', True), ('id', 'child_of', partner_id)]",
        help="Legal entities, branches and sites the contract covers. Empty: the "
        "whole hierarchy of the customer.",
    )
    service_ids = fields.Many2many(
        "telecom.service",
        "telecom_b2b_contract_service_rel",
        "contract_id",
        "service_id",
        string="Services Covered",
        domain="[('partner_id', 'child_of', partner_id)]",
    )
    contact_ids = fields.Many2many(
        "res.partner",
        "telecom_b2b_contract_contact_rel",
        "contract_id",
        "partner_id",
        string="Contacts",
        domain="[('is_company', '=', False), ('id', 'child_of', partner_id)]",
    )
    document_ids = fields.Many2many(
        "ir.attachment",
        "telecom_b2b_contract_attachment_rel",
        "contract_id",
        "attachment_id",
        string="Documents",
        help="Signed contract, annexes, SLA schedule…",
    )
    price_ids = fields.One2many(
        "telecom.b2b.contract.price", "contract_id", string="Price Terms", copy=True
    )
    sla_ids = fields.One2many(
        "telecom.b2b.contract.sla", "contract_id", string="SLA Terms", copy=True
    )
    monthly_amount = fields.Monetary(
        compute="_compute_monthly_amount", currency_field="currency_id"
    )
    opportunity_id = fields.Many2one(
        "crm.lead", index="btree_not_null", check_company=True
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Quotation", index="btree_not_null", check_company=True
    )
    renewal_of_id = fields.Many2one(
        "telecom.b2b.contract",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    renewed_by_ids = fields.One2many("telecom.b2b.contract", "renewal_of_id")
    termination_reason = fields.Selection(
        TERMINATION_REASONS, copy=False, tracking=True
    )
    termination_date = fields.Date(readonly=True, copy=False)
    notes = fields.Html()
    activation_request_ids = fields.One2many(
        "telecom.request", "telecom_b2b_contract_id", string="Activation Requests"
    )
    activation_request_count = fields.Integer(
        compute="_compute_activation_request_count"
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "The contract number must be unique per company.",
        ),
    ]

    @api.depends("partner_id")
    def _compute_from_partner(self):
        for contract in self:
            contract.region_id = contract.partner_id.telecom_region_id
            contract.key_account_manager_id = (
                contract.partner_id.telecom_key_account_manager_id
            )

    @api.depends("date_end", "reminder_days")
    def _compute_reminder_date(self):
        for contract in self:
            contract.reminder_date = contract.date_end and (
                contract.date_end - relativedelta(days=contract.reminder_days)
            )

    @api.depends("price_ids.monthly_subtotal")
    def _compute_monthly_amount(self):
        for contract in self:
            contract.monthly_amount = sum(contract.price_ids.mapped("monthly_subtotal"))

    def _compute_activation_request_count(self):
        counts = dict(
            self.env["telecom.request"]._read_group(
                [("telecom_b2b_contract_id", "in", self.ids)],
                ["telecom_b2b_contract_id"],
                ["__count"],
            )
        )
        for contract in self:
            contract.activation_request_count = counts.get(contract, 0)

    @api.constrains("date_start", "date_end", "reminder_days", "renewal_months")
    def _check_term(self):
        for contract in self:
            if contract.date_end <= contract.date_start:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s must end after it starts.",
                        contract=contract.name,
                    )
                )
            if contract.reminder_days < 0 or contract.renewal_months <= 0:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s: the reminder days cannot be "
                        "negative and the renewal term must be at least a month.",
                        contract=contract.name,
                    )
                )

    @api.constrains("partner_id", "site_ids", "service_ids", "contact_ids")
    def _check_coverage_in_hierarchy(self):
        """Sites, services and contacts belong to the customer's hierarchy."""
        trees = self.partner_id._telecom_b2b_descendants()
        for contract in self:
            tree = set(trees.get(contract.partner_id.id, []))
            partners = (
                contract.site_ids
                | contract.contact_ids
                | contract.service_ids.partner_id
            )
            outside = partners.browse(set(partners.ids) - tree)
            if outside:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s covers only %(customer)s and the "
                        "companies, sites and people below it, not: %(outside)s.",
                        contract=contract.name,
                        customer=contract.partner_id.display_name,
                        outside=", ".join(outside.mapped("display_name")),
                    )
                )

    # ------------------------------------------------------------------
    # lifecycle
    # ------------------------------------------------------------------
    def action_activate(self):
        """The signed contract comes into force."""
        self._check_state_for(("draft",), self.env._("activate"))
        self.write({"state": "active"})
        self._journal("b2b_contract.activated")
        return True

    def action_view_activation_requests(self):
        """The activation requests of the won deal (those the user may see)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_request_action"
        )
        action["domain"] = [("telecom_b2b_contract_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_terminate(self):
        """End the contract before or at its end (reason: the field, else the
        customer's request)."""
        self._check_state_for(("active", "expiring"), self.env._("terminate"))
        for reason, contracts in self.grouped(
            lambda c: c.termination_reason or "customer_request"
        ).items():
            contracts._terminate(reason)
        return True

    def _terminate(self, reason):
        self.write(
            {
                "state": "terminated",
                "termination_reason": reason,
                "termination_date": fields.Date.context_today(self),
            }
        )
        self._close_renewal_reminders()
        self._journal("b2b_contract.terminated")

    def _check_state_for(self, allowed_states, action_label):
        """Raise a clear error when a contract of ``self`` is not in a state the
        action applies to."""
        states = dict(self._fields["state"]._description_selection(self.env))
        for contract in self:
            if contract.state not in allowed_states:
                raise UserError(
                    self.env._(
                        "Cannot %(action)s contract %(contract)s: it is %(state)s.",
                        action=action_label,
                        contract=contract.name,
                        state=states[contract.state],
                    )
                )

    # ------------------------------------------------------------------
    # journal: chatter (tracking), business events and the timeline
    # ------------------------------------------------------------------
    def _journal(self, event_type):
        """Announce a lifecycle move on the event feed and on the customer's
        timeline, for all of ``self`` at once."""
        if not self:
            return
        self.env["telecom.event"]._emit(
            event_type, [contract._prepare_event_vals() for contract in self]
        )
        self.env["telecom.interaction"].create(
            [contract._prepare_interaction_vals(event_type) for contract in self]
        )

    def _prepare_event_vals(self):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.id,
            "res_model": self._name,
            "res_id": self.id,
            "summary": self.name,
            "region_id": self.region_id.id,
            "company_id": self.company_id.id,
            "payload": {
                "contract": self.name,
                "state": self.state,
                "date_start": fields.Date.to_string(self.date_start),
                "date_end": fields.Date.to_string(self.date_end),
                "auto_renew": self.auto_renew,
                "renewal_of": self.renewal_of_id.name or None,
                "termination_reason": self.termination_reason or None,
            },
        }

    def _prepare_interaction_vals(self, event_type):
        self.ensure_one()
        states = dict(self._fields["state"]._description_selection(self.env))
        return {
            "partner_id": self.partner_id.id,
            "channel": "system",
            "direction": "internal",
            "summary": self.env._(
                "Contract %(contract)s: %(state)s (until %(end)s)",
                contract=self.name,
                state=states[self.state],
                end=self.date_end,
            ),
            "res_model": self._name,
            "res_id": self.id,
            "company_id": self.company_id.id,
        }

    # ------------------------------------------------------------------
    # coverage, for the SLA and the service credits
    # ------------------------------------------------------------------
    def _get_covered_partner_ids(self):
        """{contract id: ids of the partners whose services and tickets the
        contract covers}: its sites and everything below them, else the
        customer's whole hierarchy."""
        roots = self.site_ids | self.partner_id
        trees = roots._telecom_b2b_descendants()
        return {
            contract.id: {
                pid
                for root in (contract.site_ids or contract.partner_id)
                for pid in trees.get(root.id, [])
            }
            for contract in self
        }
