from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

MANAGER_GROUP = "telecom_b2b_partner.telecom_b2b_partner_group_manager"
APPROVAL_FIELDS = ("telecom_discount_approved", "telecom_discount_approver_id")


class SaleOrder(models.Model):
    """Corporate quotations: service bundles with monthly and one-off fees, a
    B2B manager's approval above the company's discount threshold, and on
    confirmation the B2B contract and the activation requests of the deal."""

    _inherit = "sale.order"

    telecom_is_b2b = fields.Boolean(
        string="Corporate Quotation",
        compute="_compute_telecom_is_b2b",
        help="The customer belongs to a corporate hierarchy (holding, legal "
        "entity or branch).",
    )
    telecom_contract_months = fields.Integer(
        string="Contract Term (Months)",
        default=12,
        help="Term of the B2B contract created when the quotation is confirmed.",
    )
    telecom_monthly_total = fields.Monetary(
        string="Monthly Fees", compute="_compute_telecom_fee_totals"
    )
    telecom_one_off_total = fields.Monetary(
        string="One-off Fees", compute="_compute_telecom_fee_totals"
    )
    telecom_max_discount = fields.Float(
        string="Highest Discount (%)",
        compute="_compute_telecom_max_discount",
        digits="Discount",
    )
    telecom_discount_approval_needed = fields.Boolean(
        string="Discount Approval Needed",
        compute="_compute_telecom_max_discount",
        help="A discount above the company's threshold is not approved yet.",
    )
    telecom_discount_approved = fields.Float(
        string="Approved Discount (%)",
        readonly=True,
        copy=False,
        digits="Discount",
        tracking=True,
        help="Highest discount a B2B sales manager approved; a higher one needs "
        "a new approval.",
    )
    telecom_discount_approver_id = fields.Many2one(
        "res.users", string="Discount Approved By", readonly=True, copy=False
    )
    telecom_b2b_contract_ids = fields.One2many(
        "telecom.b2b.contract", "sale_order_id", string="B2B Contracts"
    )

    @api.depends("partner_id.commercial_partner_id.telecom_b2b_level")
    def _compute_telecom_is_b2b(self):
        for order in self:
            order.telecom_is_b2b = bool(
                order.partner_id.commercial_partner_id.telecom_b2b_level
            )

    @api.depends(
        "order_line.price_subtotal", "order_line.telecom_fee_type", "telecom_is_b2b"
    )
    def _compute_telecom_fee_totals(self):
        for order in self:
            lines = order.order_line.filtered(lambda line: not line.display_type)
            monthly = lines.filtered(lambda line: line.telecom_fee_type == "monthly")
            order.telecom_monthly_total = sum(monthly.mapped("price_subtotal"))
            order.telecom_one_off_total = sum(
                (lines - monthly).mapped("price_subtotal")
            )

    @api.depends(
        "order_line.discount",
        "telecom_is_b2b",
        "telecom_discount_approved",
        "company_id.telecom_b2b_discount_threshold",
    )
    def _compute_telecom_max_discount(self):
        for order in self:
            order.telecom_max_discount = max(
                order.order_line.mapped("discount"), default=0.0
            )
            order.telecom_discount_approval_needed = (
                order.telecom_is_b2b
                and order.telecom_max_discount
                > order.company_id.telecom_b2b_discount_threshold
                and order.telecom_max_discount > order.telecom_discount_approved
            )

    def write(self, vals):
        if any(field in vals for field in APPROVAL_FIELDS):
            self._telecom_check_approver()
        return super().write(vals)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_telecom_approve_discount(self):
        """A B2B sales manager approves the current discounts."""
        self._telecom_check_approver()
        for order in self:
            order.write(
                {
                    "telecom_discount_approved": order.telecom_max_discount,
                    "telecom_discount_approver_id": self.env.user.id,
                }
            )
        return True

    def action_quotation_send(self):
        self._telecom_check_discount_approval()
        return super().action_quotation_send()

    def action_quotation_sent(self):
        self._telecom_check_discount_approval()
        return super().action_quotation_sent()

    def action_confirm(self):
        self._telecom_check_discount_approval()
        result = super().action_confirm()
        self.filtered("telecom_is_b2b")._telecom_fulfil_won_deal()
        return result

    def action_telecom_view_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_b2b_partner.telecom_b2b_contract_action"
        )
        # every contract of the deal, draft ones included (the menu's default
        # filter shows the contracts in force only); one opens in its form
        action["context"] = {"create": False}
        contracts = self.telecom_b2b_contract_ids
        if len(contracts) == 1:
            action.update(
                views=[(False, "form")], view_mode="form", res_id=contracts.id
            )
        else:
            action["domain"] = [("sale_order_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # discount approval
    # ------------------------------------------------------------------
    def _telecom_check_approver(self):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._("Only a B2B sales manager approves quotation discounts.")
            )

    def _telecom_check_discount_approval(self):
        pending = self.filtered("telecom_discount_approval_needed")
        if pending:
            raise UserError(
                self.env._(
                    "Quotation %(orders)s gives a discount of %(discount)s %% "
                    "while the company allows %(threshold)s %% without approval: "
                    "a B2B sales manager must approve it first.",
                    orders=", ".join(pending.mapped("name")),
                    discount=max(pending.mapped("telecom_max_discount")),
                    threshold=pending[:1].company_id.telecom_b2b_discount_threshold,
                )
            )

    # ------------------------------------------------------------------
    # won deal: contract and activation requests
    # ------------------------------------------------------------------
    def _telecom_fulfil_won_deal(self):
        """The confirmed corporate quotations win their opportunity and get
        their draft contract and activation requests, each made once."""
        open_leads = self.opportunity_id.filtered(lambda lead: not lead.stage_id.is_won)
        open_leads.action_set_won()
        new_orders = self.filtered(lambda order: not order.telecom_b2b_contract_ids)
        self.env["telecom.b2b.contract"].create(
            [order._prepare_telecom_contract_vals() for order in new_orders]
        )
        self.order_line._telecom_create_activation_requests()

    def _prepare_telecom_contract_vals(self):
        self.ensure_one()
        start = fields.Date.context_today(self)
        lines = self.order_line.filtered(lambda line: not line.display_type)
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "company_id": self.company_id.id,
            "date_start": start,
            "date_end": start
            + relativedelta(months=self.telecom_contract_months, days=-1),
            "renewal_months": self.telecom_contract_months,
            "opportunity_id": self.opportunity_id.id,
            "sale_order_id": self.id,
            "site_ids": [fields.Command.set(lines.telecom_site_id.ids)],
            "price_ids": [
                fields.Command.create(line._prepare_telecom_contract_price_vals())
                for line in lines
            ],
        }
