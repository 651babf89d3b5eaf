from odoo import Command, api, fields, models

FEE_TYPES = [("monthly", "Monthly"), ("one_off", "One-off")]


class SaleOrderLine(models.Model):
    """Service bundle lines of corporate quotations: for which site, billed
    monthly or once, with the volume tier discount."""

    _inherit = "sale.order.line"

    telecom_customer_id = fields.Many2one(
        related="order_id.partner_id.commercial_partner_id",
        string="Corporate Customer",
    )
    telecom_site_id = fields.Many2one(
        "res.partner",
        string="Site",
        index="btree_not_null",
        # a field of the line: the web client cannot follow a path in a domain
        domain="[('is_company', '=', True), ('id', 'child_of', telecom_customer_id)]",
        help="Legal entity, branch or site where the service is delivered. "
        "Empty: the customer itself.",
    )
    telecom_fee_type = fields.Selection(
        FEE_TYPES,
        string="Fee",
        compute="_compute_telecom_fee_type",
        store=True,
        readonly=False,
        precompute=True,
        help="Monthly for tariff plans and options of the service catalog, "
        "one-off for the rest (installation, equipment); change it if needed.",
    )
    telecom_activation_request_ids = fields.One2many(
        "telecom.request", "telecom_b2b_sale_line_id", string="Activation Requests"
    )
    telecom_activations_created = fields.Boolean(
        string="Activations Created",
        readonly=True,
        copy=False,
        help="The activation requests of the line were created (once, whoever "
        "may see them afterwards).",
    )

    @api.depends("product_id")
    def _compute_telecom_fee_type(self):
        for line in self:
            line.telecom_fee_type = (
                "monthly" if line.product_id.telecom_kind else "one_off"
            )

    def _compute_discount(self):
        """Corporate lines take the best of the pricelist discount and the
        volume tier of their product's quantity in the quotation (recomputed
        when a line of that product changes, see ``write``)."""
        b2b_lines = self.filtered(
            lambda line: (
                line.product_id
                and not line.display_type
                and line.order_id.telecom_is_b2b
            )
        )
        previous = {line.id: line.discount for line in b2b_lines}
        result = super()._compute_discount()
        tiers = self.env["telecom.b2b.volume.discount"]._get_discounts(b2b_lines)
        for line in b2b_lines:
            # a discount left untouched by the pricelist is a former tier's
            pricelist = 0.0 if line.discount == previous[line.id] else line.discount
            line.discount = max(pricelist, tiers[line.id])
        return result

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._telecom_recompute_sibling_tiers()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if {"product_id", "product_uom_qty"} & set(vals):
            self._telecom_recompute_sibling_tiers()
        return result

    def unlink(self):
        siblings = self._telecom_tier_siblings()
        result = super().unlink()
        siblings.exists()._telecom_recompute_tiers()
        return result

    def _telecom_tier_siblings(self):
        """The other lines of the same products in the same corporate
        quotations: their volume tier counts these lines' quantities."""
        orders = self.order_id.filtered("telecom_is_b2b")
        return (
            orders.order_line.filtered(
                lambda line: (
                    line.product_template_id in self.product_template_id
                    and not line.display_type
                )
            )
            - self
        )

    def _telecom_recompute_sibling_tiers(self):
        self._telecom_tier_siblings()._telecom_recompute_tiers()

    def _telecom_recompute_tiers(self):
        """Recompute the discount of lines whose tier may have changed with
        another line of their quotation (not their own fields): scoped to
        corporate quotations, unlike a dependency on the whole order."""
        if self:
            self.env.add_to_compute(self._fields["discount"], self)

    def _telecom_activation_count(self):
        """How many services the line activates: one per unit of a tariff plan."""
        self.ensure_one()
        if self.product_id.telecom_kind != "tariff":
            return 0
        return int(self.product_uom_qty)

    def _prepare_telecom_contract_price_vals(self):
        self.ensure_one()
        fee_field = (
            "monthly_price" if self.telecom_fee_type == "monthly" else "one_off_price"
        )
        return {
            "sequence": self.sequence,
            "product_id": self.product_id.id,
            "name": self.name,
            "quantity": self.product_uom_qty,
            fee_field: self.price_unit,
            "discount": self.discount,
        }

    def _telecom_create_activation_requests(self):
        """Draft activation requests, one per service a line sells, for the
        front office of each site to complete (numbers, SIM cards) and submit:
        the same requests an agent opens, so billing receives them through the
        connector when it is installed. The options sold go on the requests of
        their site (see ``_telecom_add_options``). Lines that already have
        theirs are skipped, so a second confirmation creates nothing."""
        pending = self.filtered(lambda line: not line.telecom_activations_created)
        lines = pending.filtered(lambda line: line._telecom_activation_count())
        vals_list = []
        for line in lines:
            vals = line._prepare_telecom_activation_vals()
            count = line._telecom_activation_count()
            vals_list += [dict(vals, option_ids=[]) for _unit in range(count)]
        option_lines = pending.filtered(
            lambda line: line.product_id.telecom_kind == "option"
        )
        option_lines._telecom_add_options(vals_list)
        requests = self.env["telecom.request"].create(vals_list)
        (lines | option_lines).telecom_activations_created = True
        return requests

    def _telecom_add_options(self, activation_vals_list):
        """Put the options of these lines on the activation requests (values)
        of their site whose tariff allows them, as many as the line's quantity,
        in the order of the quotation."""
        tariffs = self.env["product.product"].browse(
            {vals["tariff_id"] for vals in activation_vals_list}
        )
        tariff_templates = {tariff.id: tariff.product_tmpl_id for tariff in tariffs}
        for line in self:
            targets = [
                vals
                for vals in activation_vals_list
                if vals["partner_id"] == line._telecom_site().id
                and tariff_templates[vals["tariff_id"]]._telecom_allows_option(
                    line.product_template_id
                )
            ]
            for vals in targets[: int(line.product_uom_qty)]:
                vals["option_ids"].append(Command.link(line.product_id.id))

    def _telecom_site(self):
        """Where the line's service is delivered."""
        self.ensure_one()
        return self.telecom_site_id or self.order_id.partner_id.commercial_partner_id

    def _prepare_telecom_activation_vals(self):
        self.ensure_one()
        site = self._telecom_site()
        return {
            "request_type": "activation",
            "partner_id": site.id,
            "account_id": site.telecom_account_ids[:1].id,
            "company_id": self.company_id.id,
            "new_service_type": self.product_id.telecom_service_type,
            "tariff_id": self.product_id.id,
            "installation_address": site._display_address(without_company=True)
            .replace("\n", ", ")
            .strip(", "),
            "user_id": self.env.user.id,
            "reason": self.env._(
                "Won deal %(order)s: %(product)s",
                order=self.order_id.name,
                product=self.product_id.display_name,
            ),
            "telecom_b2b_sale_line_id": self.id,
            "telecom_b2b_contract_id": self.order_id.telecom_b2b_contract_ids[:1].id,
        }
