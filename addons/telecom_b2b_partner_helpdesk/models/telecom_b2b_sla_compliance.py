import io
from datetime import date, datetime, time

import xlsxwriter
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class TelecomB2bSlaCompliance(models.AbstractModel):
    """SLA compliance of a corporate customer for one month, as its contacts see
    it on the portal and download it: the tickets opened in the month (those
    the current user may read), how many stayed within their SLA and how many
    breached it, per priority, in one grouped read."""

    _name = "telecom.b2b.sla.compliance"
    _description = "Corporate SLA Compliance"

    @api.model
    def _parse_month(self, text):
        """The first day of the month ``text`` (YYYY-MM); this month when empty."""
        if not text:
            return fields.Date.context_today(self).replace(day=1)
        try:
            year, month = (int(part) for part in text.split("-"))
            return date(year, month, 1)
        except ValueError as error:
            raise UserError(
                self.env._(
                    "%(month)s is not a month: use YYYY-MM, e.g. 2026-11.", month=text
                )
            ) from error

    @api.model
    def _get_ticket_domain(self, month_start):
        """Tickets opened in the month, from the 1st 00:00 UTC (hook)."""
        start = datetime.combine(month_start, time.min)
        return [
            ("create_date", ">=", start),
            ("create_date", "<", start + relativedelta(months=1)),
        ]

    @api.model
    def _compute_rows(self, month_start):
        """([row per priority], totals row); each row a dict with ``priority``,
        ``label``, ``tickets``, ``within``, ``breached`` and ``compliance`` (a
        ratio, None without tickets). Read as the current user."""
        counts = {}
        for priority, status, count in self.env["helpdesk.ticket"]._read_group(
            self._get_ticket_domain(month_start),
            ["priority", "sla_status"],
            ["__count"],
        ):
            tickets, breached = counts.get(priority, (0, 0))
            counts[priority] = (
                tickets + count,
                breached + (count if status == "breached" else 0),
            )
        labels = dict(
            self.env["helpdesk.ticket"]
            ._fields["priority"]
            ._description_selection(self.env)
        )
        rows = [
            self._make_row(priority, labels[priority], *counts.get(priority, (0, 0)))
            for priority in sorted(labels, reverse=True)  # P1 (critical) first
        ]
        totals = self._make_row(
            False,
            self.env._("Total"),
            sum(row["tickets"] for row in rows),
            sum(row["breached"] for row in rows),
        )
        return rows, totals

    @api.model
    def _make_row(self, priority, label, tickets, breached):
        return {
            "priority": priority,
            "label": label,
            "tickets": tickets,
            "within": tickets - breached,
            "breached": breached,
            "compliance": (tickets - breached) / tickets if tickets else None,
        }

    @api.model
    def _build_xlsx(self, company_name, month_start):
        """The month's compliance as an XLSX workbook (bytes)."""
        rows, totals = self._compute_rows(month_start)
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        styles = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format(
                {
                    "bold": True,
                    "bg_color": "#1F4E78",
                    "font_color": "#FFFFFF",
                    "border": 1,
                }
            ),
            "text": workbook.add_format({"border": 1}),
            "number": workbook.add_format({"border": 1, "num_format": "0"}),
            "percent": workbook.add_format({"border": 1, "num_format": "0.0%"}),
            "total": workbook.add_format(
                {"bold": True, "top": 2, "bg_color": "#DDEBF7"}
            ),
            "total_percent": workbook.add_format(
                {"bold": True, "top": 2, "bg_color": "#DDEBF7", "num_format": "0.0%"}
            ),
        }
        sheet = workbook.add_worksheet(self.env._("SLA Compliance"))
        sheet.write(
            0,
            0,
            self.env._(
                "SLA compliance of %(company)s, %(month)s",
                company=company_name,
                month=month_start.strftime("%Y-%m"),
            ),
            styles["title"],
        )
        headers = (
            (self.env._("Priority"), 18),
            (self.env._("Tickets"), 10),
            (self.env._("Within SLA"), 12),
            (self.env._("Breached"), 10),
            (self.env._("Compliance"), 12),
        )
        for column, (label, width) in enumerate(headers):
            sheet.set_column(column, column, width)
            sheet.write(2, column, label, styles["header"])
        for index, row in enumerate(rows, start=3):
            self._write_row(
                sheet, index, row, styles["text"], styles["number"], styles["percent"]
            )
        self._write_row(
            sheet,
            3 + len(rows),
            totals,
            styles["total"],
            styles["total"],
            styles["total_percent"],
        )
        workbook.close()
        return output.getvalue()

    @api.model
    def _write_row(self, sheet, index, row, text, number, percent):
        sheet.write(index, 0, row["label"], text)
        sheet.write_number(index, 1, row["tickets"], number)
        sheet.write_number(index, 2, row["within"], number)
        sheet.write_number(index, 3, row["breached"], number)
        if row["compliance"] is None:
            sheet.write_blank(index, 4, None, percent)
        else:
            sheet.write_number(index, 4, row["compliance"], percent)
