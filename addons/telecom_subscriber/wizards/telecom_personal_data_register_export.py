import base64
import csv
import io

import xlsxwriter

from odoo import fields, models


class TelecomPersonalDataRegisterExport(models.TransientModel):
    """The processing register as a file for the regulator (Roskomnadzor):
    an XLSX workbook or a CSV file, one row per personal field."""

    _name = "telecom.personal.data.register.export"
    _description = "Personal Data Register Export"

    file_format = fields.Selection(
        [("xlsx", "Excel (XLSX)"), ("csv", "CSV")],
        string="Format",
        required=True,
        default="xlsx",
    )
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    def action_export(self):
        self.ensure_one()
        Register = self.env["telecom.personal.data.register"]
        Register.check_access("read")
        Register._sync_from_declarations()
        table = self._register_table(Register.search([]))
        content = (
            self._build_workbook(table)
            if self.file_format == "xlsx"
            else self._build_csv(table)
        )
        self.write(
            {
                "file": base64.b64encode(content),
                "filename": f"personal_data_register.{self.file_format}",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.filename}"
            "?download=true",
            "target": "self",
        }

    def _register_columns(self):
        """(header, function of a register row giving the cell's text)."""

        def selection(name):
            labels = dict(
                self.env["telecom.personal.data.register"]
                ._fields[name]
                ._description_selection(self.env)
            )
            return lambda row: labels.get(row[name], "")

        return [
            (self.env._("Data Set"), lambda row: row.model_id.name or row.model),
            (self.env._("Model"), lambda row: row.model),
            (self.env._("Personal Data"), lambda row: row.field_description or ""),
            (self.env._("Field"), lambda row: row.field_name),
            (self.env._("Category"), selection("category")),
            (self.env._("Purpose"), selection("purpose")),
            (self.env._("Legal Basis"), selection("legal_basis")),
            (self.env._("Storage"), selection("storage")),
            (self.env._("Location"), lambda row: row.storage_location or ""),
            (
                self.env._("Who May Read It"),
                lambda row: ", ".join(row.group_ids.mapped("full_name")),
            ),
            (self.env._("Retention Follows"), selection("retention_category")),
            (self.env._("Retention"), lambda row: row.retention_rule or ""),
            (
                self.env._("Reads Journaled"),
                lambda row: self.env._("Yes") if row.audited else self.env._("No"),
            ),
        ]

    def _register_table(self, rows):
        columns = self._register_columns()
        return [[header for header, _cell in columns]] + [
            [cell(row) for _header, cell in columns] for row in rows
        ]

    def _build_workbook(self, table):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        header = workbook.add_format(
            {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF"}
        )
        sheet = workbook.add_worksheet(self.env._("Register"))
        for row_index, values in enumerate(table):
            for column, value in enumerate(values):
                sheet.write(row_index, column, value, header if not row_index else None)
        sheet.set_column(0, len(table[0]) - 1, 24)
        sheet.freeze_panes(1, 0)
        workbook.close()
        return output.getvalue()

    def _build_csv(self, table):
        output = io.StringIO()
        csv.writer(output).writerows(table)
        # a byte order mark: spreadsheets read the Cyrillic text as UTF-8
        return ("\ufeff" + output.getvalue()).encode("utf-8")
