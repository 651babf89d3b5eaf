from odoo import api, fields, models


class TelecomImportError(models.Model):
    """One rejected (or skipped) row of a billing import, with the reason.

    A row may carry several errors (one per bad column); ``column`` and ``value``
    are empty when the problem concerns the whole row.
    """

    _name = "telecom.import.error"
    _description = "Import Error"
    _order = "line_number, id"

    import_id = fields.Many2one(
        "telecom.import", required=True, index=True, ondelete="cascade"
    )
    line_number = fields.Integer(string="Row", required=True)
    column = fields.Char()
    value = fields.Char()
    message = fields.Char(required=True)
    level = fields.Selection(
        [("error", "Rejected"), ("skipped", "Skipped")],
        required=True,
        default="error",
        help="Rejected: the row was not imported, fix it and import it again. "
        "Skipped: the service of the row already exists (imported before).",
    )

    @api.model
    def _create_for_rows(self, job, problems, skipped_rows):
        """Record the problems of a chunk and its skipped rows for the import ``job``.

        ``problems`` are ``(line, column, value, message)``, one error each;
        ``skipped_rows`` are parsed rows carrying their ``skip_message``.
        """
        vals_list = [
            {
                "import_id": job.id,
                "line_number": line_number,
                "column": column,
                "value": (value or "")[:200],
                "message": message,
            }
            for line_number, column, value, message in problems
        ]
        vals_list += [
            {
                "import_id": job.id,
                "line_number": row.line_number,
                "message": row.skip_message,
                "level": "skipped",
            }
            for row in skipped_rows
        ]
        return self.create(vals_list)
