import base64
import io
from collections import defaultdict
from datetime import timedelta

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import UserError


class TelecomSlaBreachReport(models.TransientModel):
    """Export the SLA breaches of a period to a formatted XLSX workbook: the
    breaches with a totals row, and compliance per team with totals."""

    _name = "telecom.sla.breach.report"
    _description = "SLA Breach Report"

    date_from = fields.Date(
        required=True, default=lambda self: fields.Date.today() - timedelta(days=30)
    )
    date_to = fields.Date(required=True, default=fields.Date.today)
    team_ids = fields.Many2many("helpdesk.ticket.team", string="Teams")
    region_ids = fields.Many2many("telecom.region", string="Zones")
    file = fields.Binary(readonly=True, attachment=False)
    filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(self.env._("The period ends before it starts."))

    def _get_line_domain(self):
        """SLA targets due in the period (hook)."""
        self.ensure_one()
        domain = [
            ("deadline", ">=", fields.Datetime.to_datetime(self.date_from)),
            (
                "deadline",
                "<",
                fields.Datetime.to_datetime(self.date_to) + timedelta(days=1),
            ),
        ]
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        if self.region_ids:
            domain.append(("region_id", "child_of", self.region_ids.ids))
        return domain

    def action_export(self):
        self.ensure_one()
        rows = self.env["telecom.sla.report"].search(
            self._get_line_domain(), order="team_id, deadline"
        )
        content = self._build_workbook(rows)
        self.write(
            {
                "file": base64.b64encode(content),
                "filename": f"sla_breaches_{self.date_from}_{self.date_to}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self._name}/{self.id}/file/{self.filename}"
            "?download=true",
            "target": "self",
        }

    def _build_workbook(self, rows):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = self._workbook_styles(workbook)
        self._write_breaches(workbook, styles, rows.filtered("breached"))
        self._write_teams(workbook, styles, rows)
        workbook.close()
        return output.getvalue()

    @staticmethod
    def _workbook_styles(workbook):
        return {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format(
                {
                    "bold": True,
                    "bg_color": "#1F4E78",
                    "font_color": "#FFFFFF",
                    "border": 1,
                    "text_wrap": True,
                }
            ),
            "text": workbook.add_format({"border": 1}),
            "date": workbook.add_format(
                {"num_format": "yyyy-mm-dd hh:mm", "border": 1}
            ),
            "number": workbook.add_format({"num_format": "0.00", "border": 1}),
            "percent": workbook.add_format({"num_format": "0.0%", "border": 1}),
            "total": workbook.add_format(
                {"bold": True, "top": 2, "bg_color": "#DDEBF7"}
            ),
            "total_number": workbook.add_format(
                {"bold": True, "top": 2, "bg_color": "#DDEBF7", "num_format": "0.00"}
            ),
            "total_percent": workbook.add_format(
                {"bold": True, "top": 2, "bg_color": "#DDEBF7", "num_format": "0.0%"}
            ),
        }

    def _write_breaches(self, workbook, styles, rows):
        sheet = workbook.add_worksheet(self.env._("Breaches"))
        sheet.write(
            0,
            0,
            self.env._(
                "SLA breaches from %(start)s to %(end)s",
                start=self.date_from,
                end=self.date_to,
            ),
            styles["title"],
        )
        for column, (label, width) in enumerate(self._breach_columns()):
            sheet.set_column(column, column, width)
            sheet.write(2, column, label, styles["header"])
        sheet.freeze_panes(3, 0)
        labels = self._selection_labels()
        now = fields.Datetime.now()
        overdue_total = 0.0
        row_index = 3
        for row in rows:
            overdue = max(((row.done_date or now) - row.deadline).total_seconds(), 0)
            overdue_total += overdue / 3600
            values = (
                (row.ticket_id.number, "text"),
                (row.ticket_id.name, "text"),
                (row.team_id.display_name or "", "text"),
                (row.region_id.display_name or "", "text"),
                (labels["priority"].get(row.priority, ""), "text"),
                (row.partner_id.display_name or "", "text"),
                (labels["kind"].get(row.kind, ""), "text"),
                (row.policy_id.display_name or "", "text"),
                (row.deadline, "date"),
                (row.done_date, "date"),
                (round(overdue / 3600, 2), "number"),
                (labels["status"].get(row.status, ""), "text"),
            )
            for column, (value, style) in enumerate(values):
                if style == "date":
                    if value:
                        sheet.write_datetime(row_index, column, value, styles["date"])
                    else:
                        sheet.write_blank(row_index, column, None, styles["date"])
                else:
                    sheet.write(row_index, column, value, styles[style])
            row_index += 1
        first, last = 4, row_index  # 1-based Excel rows of the data
        sheet.write(row_index, 0, self.env._("Total"), styles["total"])
        sheet.write_formula(
            row_index,
            1,
            f"=COUNTA(A{first}:A{last})" if rows else "=0",
            styles["total"],
            len(rows),
        )
        for column in range(2, 10):
            sheet.write_blank(row_index, column, None, styles["total"])
        sheet.write_formula(
            row_index,
            10,
            f"=SUM(K{first}:K{last})" if rows else "=0",
            styles["total_number"],
            round(overdue_total, 2),
        )
        sheet.write_blank(row_index, 11, None, styles["total"])
        return sheet

    def _breach_columns(self):
        """(header, width) of the breach sheet."""
        return [
            (self.env._("Ticket"), 12),
            (self.env._("Title"), 36),
            (self.env._("Team"), 22),
            (self.env._("Zone"), 24),
            (self.env._("Priority"), 12),
            (self.env._("Customer"), 28),
            (self.env._("Target"), 16),
            (self.env._("Policy"), 24),
            (self.env._("Deadline"), 18),
            (self.env._("Reached On"), 18),
            (self.env._("Overdue (h)"), 12),
            (self.env._("Status"), 12),
        ]

    def _write_teams(self, workbook, styles, rows):
        sheet = workbook.add_worksheet(self.env._("By Team"))
        headers = (
            self.env._("Team"),
            self.env._("Targets"),
            self.env._("Breaches"),
            self.env._("Compliance"),
        )
        for column, label in enumerate(headers):
            sheet.set_column(column, column, 26 if column == 0 else 14)
            sheet.write(0, column, label, styles["header"])
        stats = defaultdict(lambda: [0, 0])
        for row in rows:
            stats[row.team_id.display_name or self.env._("No team")][0] += 1
            stats[row.team_id.display_name or self.env._("No team")][1] += int(
                row.breached
            )
        row_index = 1
        for team, (targets, breaches) in sorted(stats.items()):
            excel_row = row_index + 1
            sheet.write(row_index, 0, team, styles["text"])
            sheet.write_number(row_index, 1, targets, styles["text"])
            sheet.write_number(row_index, 2, breaches, styles["text"])
            sheet.write_formula(
                row_index,
                3,
                f"=IF(B{excel_row}=0,1,1-C{excel_row}/B{excel_row})",
                styles["percent"],
                1 - breaches / targets if targets else 1,
            )
            row_index += 1
        total_targets = sum(value[0] for value in stats.values())
        total_breaches = sum(value[1] for value in stats.values())
        last = row_index
        total_row = row_index + 1
        sheet.write(row_index, 0, self.env._("Total"), styles["total"])
        sheet.write_formula(
            row_index, 1, f"=SUM(B2:B{last})", styles["total"], total_targets
        )
        sheet.write_formula(
            row_index, 2, f"=SUM(C2:C{last})", styles["total"], total_breaches
        )
        sheet.write_formula(
            row_index,
            3,
            f"=IF(B{total_row}=0,1,1-C{total_row}/B{total_row})",
            styles["total_percent"],
            1 - total_breaches / total_targets if total_targets else 1,
        )
        return sheet

    def _selection_labels(self):
        Report = self.env["telecom.sla.report"]
        return {
            name: dict(Report._fields[name]._description_selection(self.env))
            for name in ("priority", "kind", "status")
        }
