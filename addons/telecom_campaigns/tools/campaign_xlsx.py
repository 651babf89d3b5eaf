"""XLSX workbook of campaign results (xlsxwriter, in memory)."""

import io

import xlsxwriter


def build_results_workbook(sheets):
    """Bytes of a workbook with one sheet per ``(title, headers, rows)``."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    bold = workbook.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for title, headers, rows in sheets:
        # sheet names: at most 31 characters, none of []:*?/\
        sheet = workbook.add_worksheet(
            "".join(char for char in title if char not in "[]:*?/\\")[:31]
        )
        for column, header in enumerate(headers):
            sheet.write(0, column, header, bold)
            sheet.set_column(column, column, max(12, min(len(str(header)) + 2, 40)))
        for line, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                sheet.write(
                    line, column, value, wrap if isinstance(value, str) else None
                )
        sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()
