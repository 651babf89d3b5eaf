import base64
import io

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class TelecomKpiExport(models.TransientModel):
    """The KPI measurements a user may read, over a period, as an XLSX
    workbook: one sheet of figures (value, baseline, change, target, trend per
    month, zone and breakdown) and one sheet of the formulas."""

    _name = "telecom.kpi.export"
    _description = "KPI Export"

    date_from = fields.Date(
        required=True,
        default=lambda self: (
            fields.Date.context_today(self).replace(day=1) - relativedelta(months=12)
        ),
    )
    date_to = fields.Date(required=True, default=fields.Date.context_today)
    kpi_ids = fields.Many2many("telecom.kpi", string="KPIs")
    region_ids = fields.Many2many("telecom.region", string="Zones")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period ends before it starts."))

    def _get_measurement_domain(self):
        """Measurements exported (hook); record rules keep the user's zones."""
        self.ensure_one()
        domain = [
            ("period_start", ">=", self.date_from.replace(day=1)),
            ("period_start", "<=", self.date_to),
        ]
        if self.kpi_ids:
            domain.append(("kpi_id", "in", self.kpi_ids.ids))
        if self.region_ids:
            domain.append(("region_id", "child_of", self.region_ids.ids))
        return domain

    def action_export(self):
        self.ensure_one()
        measurements = self.env["telecom.kpi.measurement"].search(
            self._get_measurement_domain(),
            order="kpi_id, period_start, region_id, id",
        )
        self.write(
            {
                "file": base64.b64encode(self._build_workbook(measurements)),
                "filename": f"kpis_{self.date_from}_{self.date_to}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.filename}"
            "?download=true",
            "target": "self",
        }

    def _build_workbook(self, measurements):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = {
            "header": workbook.add_format(
                {"bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF"}
            ),
            "text": workbook.add_format({}),
            "date": workbook.add_format({"num_format": "yyyy-mm"}),
            "number": workbook.add_format({"num_format": "0.00"}),
        }
        self._write_figures(
            workbook.add_worksheet(self.env._("KPIs")), styles, measurements
        )
        self._write_formulas(
            workbook.add_worksheet(self.env._("Formulas")),
            styles,
            measurements.kpi_id | self.kpi_ids,
        )
        workbook.close()
        return output.getvalue()

    def _figure_columns(self):
        """(header, field name, style) of the figures sheet."""
        fields_info = self.env["telecom.kpi.measurement"].fields_get(
            self.env["telecom.kpi"]._kpi_dimension_fields(), ["string"]
        )
        dimensions = [
            (info["string"], name, "text") for name, info in fields_info.items()
        ]
        return [
            (self.env._("KPI"), "kpi_id", "text"),
            (self.env._("Unit"), "unit", "text"),
            (self.env._("Month"), "period_start", "date"),
            (self.env._("Branch"), "company_id", "text"),
            (self.env._("Zone"), "region_id", "text"),
            *dimensions,
            (self.env._("Numerator"), "numerator", "number"),
            (self.env._("Denominator"), "denominator", "number"),
            (self.env._("Value"), "value", "number"),
            (self.env._("Baseline"), "baseline_value", "number"),
            (self.env._("Change vs Baseline"), "change_vs_baseline", "number"),
            (self.env._("Target"), "target", "number"),
            (self.env._("Target Met"), "target_met", "text"),
            (self.env._("Trend"), "trend", "text"),
            (self.env._("Phase"), "phase", "text"),
        ]

    def _write_figures(self, sheet, styles, measurements):
        columns = self._figure_columns()
        for column, (header, _name, _style) in enumerate(columns):
            sheet.write(0, column, header, styles["header"])
            sheet.set_column(column, column, 16)
        sheet.freeze_panes(1, 0)
        for row_index, measurement in enumerate(measurements, start=1):
            for column, (_header, name, style) in enumerate(columns):
                value = self._cell_value(measurement, name)
                if style == "date":
                    sheet.write_datetime(row_index, column, value, styles["date"])
                else:
                    sheet.write(row_index, column, value, styles[style])

    def _cell_value(self, measurement, name):
        field = measurement._fields[name]
        value = measurement[name]
        if field.type == "many2one":
            return value.display_name or ""
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, "")
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if field.type == "date":
            return fields.Datetime.to_datetime(value)
        return value

    def _write_formulas(self, sheet, styles, kpis):
        headers = (
            self.env._("KPI"),
            self.env._("Formula"),
            self.env._("Unit"),
            self.env._("Direction"),
            self.env._("Target"),
        )
        for column, header in enumerate(headers):
            sheet.write(0, column, header, styles["header"])
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 1, 90)
        for row_index, kpi in enumerate(kpis.sorted("sequence"), start=1):
            sheet.write(row_index, 0, kpi.name)
            sheet.write(row_index, 1, kpi.formula or "")
            sheet.write(row_index, 2, self._cell_value(kpi, "unit"))
            sheet.write(row_index, 3, self._cell_value(kpi, "direction"))
            sheet.write(row_index, 4, kpi.target, styles["number"])
