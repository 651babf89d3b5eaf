from odoo import api, fields, models


class TelecomAccount(models.Model):
    """Personal / billing account (лицевой счёт) holding services and charges."""

    _name = "telecom.account"
    _description = "Subscriber Account"
    _inherit = ["mail.thread"]
    _order = "name"
    _check_company_auto = True

    name = fields.Char(
        string="Account Number",
        required=True,
        index=True,
        copy=False,
        default=lambda self: self.env["ir.sequence"].next_by_code("telecom.account"),
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Holder",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    payer_id = fields.Many2one(
        "res.partner",
        compute="_compute_payer_id",
        store=True,
        readonly=False,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Who pays the invoices; the holder unless a company or relative pays.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        required=True,
        index=True,
        compute="_compute_region_id",
        store=True,
        readonly=False,
        precompute=True,
        ondelete="restrict",
    )
    billing_reference = fields.Char(
        string="Billing ID",
        index=True,
        copy=False,
        help="Identifier of the account in billing.",
    )
    billing_day = fields.Integer(
        default=1, help="Day of the month a billing cycle starts."
    )
    state = fields.Selection(
        [("active", "Active"), ("suspended", "Suspended"), ("closed", "Closed")],
        default="active",
        required=True,
        tracking=True,
    )
    service_ids = fields.One2many("telecom.service", "account_id", string="Services")
    service_count = fields.Integer(compute="_compute_service_count")

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "Account numbers are unique per branch.",
        ),
        (
            "billing_day_range",
            "CHECK(billing_day BETWEEN 1 AND 28)",
            "The billing day must be between 1 and 28.",
        ),
    ]

    @api.depends("partner_id")
    def _compute_payer_id(self):
        for account in self:
            if not account.payer_id:
                account.payer_id = account.partner_id

    @api.depends("partner_id")
    def _compute_region_id(self):
        for account in self:
            if not account.region_id:
                account.region_id = account.partner_id.telecom_region_id

    def _compute_service_count(self):
        counts = dict(
            self.env["telecom.service"]._read_group(
                [("account_id", "in", self.ids)], ["account_id"], ["__count"]
            )
        )
        for account in self:
            account.service_count = counts.get(account, 0)

    def _next_billing_date(self, from_date):
        """First day of the next billing cycle strictly after ``from_date``."""
        self.ensure_one()
        candidate = from_date.replace(day=self.billing_day)
        if candidate <= from_date:
            month = candidate.month % 12 + 1
            year = candidate.year + (candidate.month == 12)
            candidate = candidate.replace(year=year, month=month)
        return candidate

    def action_view_services(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_service_action"
        )
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action
