from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import bulk_insert
from .telecom_import_batch import mark, sql_message


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

    @api.model
    def _create_from_chunk(self, job):
        """Record the problems and the skipped rows of the chunk table of the
        import ``job`` (``telecom.import.batch``), one error per problem, in one
        statement each; return (rejected rows, skipped rows)."""
        cr = self.env.cr
        columns = {
            "id": SQL(
                "nextval(%s::regclass)",
                self.env["telecom.import.stage"]._id_sequence(self._name),
            ),
            "import_id": SQL("%s", job.id),
            "line_number": SQL("problem.line_number"),
            "column": SQL("nullif(problem.col, '')"),
            "value": SQL("nullif(left(problem.value, 200), '')"),
            "message": SQL("problem.message"),
            "level": SQL("'error'"),
        }
        bulk_insert.insert_select(self, columns, SQL("telecom_import_problem problem"))
        skipped = self.env._(
            "Already imported: service %(service)s exists.", service=mark("service")
        )
        columns.update(
            line_number=SQL("chunk.line_number"),
            column=SQL("NULL"),
            value=SQL("NULL"),
            message=sql_message(skipped, service=SQL("chunk.skip_reference")),
            level=SQL("'skipped'"),
        )
        bulk_insert.insert_select(
            self,
            columns,
            SQL("telecom_import_chunk chunk WHERE chunk.skip_reference IS NOT NULL"),
        )
        cr.execute(
            SQL(
                """SELECT (SELECT count(DISTINCT seq) FROM telecom_import_problem),
                          (SELECT count(*) FROM telecom_import_chunk
                            WHERE skip_reference IS NOT NULL)"""
            )
        )
        return cr.fetchone()
