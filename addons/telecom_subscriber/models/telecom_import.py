from odoo import fields, models


class TelecomImport(models.Model):
    """Import of subscribers, accounts and services from a billing CSV export."""

    _name = "telecom.import"
    _description = "Billing Import"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, default=lambda self: self.env._("Billing import"))
    file = fields.Binary(string="CSV File", required=True, attachment=True)
    file_name = fields.Char()
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    row_count = fields.Integer(readonly=True)
    next_row = fields.Integer(readonly=True)
    imported_count = fields.Integer(readonly=True)
    error_count = fields.Integer(readonly=True)
    error_ids = fields.One2many("telecom.import.error", "import_id", string="Errors")
