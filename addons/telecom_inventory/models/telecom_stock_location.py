from odoo import api, fields, models


class TelecomStockLocation(models.Model):
    """A shop or a warehouse holding SIM cards (not Odoo's stock app)."""

    _name = "telecom.stock.location"
    _description = "SIM Stock Location"
    _order = "name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, index=True)
    location_type = fields.Selection(
        [("shop", "Shop"), ("warehouse", "Warehouse")],
        string="Type",
        required=True,
        default="shop",
    )
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    active = fields.Boolean(default=True)
    sim_in_stock_count = fields.Integer(
        string="SIM Cards in Stock", compute="_compute_sim_in_stock_count"
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "The code of a stock location must be unique in its company.",
        )
    ]

    def _compute_sim_in_stock_count(self):
        counts = dict(
            self.env["telecom.sim"]._read_group(
                [("location_id", "in", self.ids), ("state", "=", "in_stock")],
                ["location_id"],
                ["__count"],
            )
        )
        for location in self:
            location.sim_in_stock_count = counts.get(location, 0)

    @api.depends("code")
    def _compute_display_name(self):
        for location in self:
            location.display_name = f"[{location.code}] {location.name}"

    def action_open_sims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_inventory.telecom_sim_action"
        )
        action["domain"] = [("location_id", "=", self.id)]
        action["context"] = {
            "default_location_id": self.id,
            "search_default_in_stock": 1,
        }
        return action
