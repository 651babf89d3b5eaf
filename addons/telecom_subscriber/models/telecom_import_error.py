from odoo import fields, models


class TelecomImportError(models.Model):
    """One rejected row of a billing import, with the reason."""

    _name = "telecom.import.error"
    _description = "Import Error"
    _order = "line_number, id"

    import_id = fields.Many2one("telecom.import", required=True, index=True, ondelete="cascade")
    line_number = fields.Integer(string="Line", required=True)
    column = fields.Char()
    value = fields.Char()
    message = fields.Char(required=True)
