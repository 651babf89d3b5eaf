"""XLSX export of a segment's live members, written as it is read.

The rows are read in keyset batches under the reader's record rules and
written by xlsxwriter in ``constant_memory`` mode (row by row to a temporary
file): neither the whole membership nor the whole workbook is ever in memory.
"""

import xlsxwriter

from odoo.tools import SQL

BATCH_SIZE = 10000


def write_members_xlsx(segment, fileobj, batch_size=BATCH_SIZE):
    """Write the members of ``segment`` the current user may see to ``fileobj``;
    return the number of rows written."""
    env = segment.env
    workbook = xlsxwriter.Workbook(
        fileobj, {"constant_memory": True, "in_memory": False}
    )
    sheet = workbook.add_worksheet(env._("Members")[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    headers = [
        env._("Subscriber ID"),
        env._("Subscriber"),
        env._("Customer Segment"),
        env._("Zone"),
        env._("Tariff Plan"),
        env._("Churn Risk"),
        env._("In Segment Since"),
    ]
    for column, header in enumerate(headers):
        sheet.write(0, column, header, bold)
    sheet.set_column(1, 1, 32)
    sheet.set_column(2, 4, 20)
    sheet.set_column(6, 6, 18)
    customer_segments = dict(
        env["res.partner"]._fields["telecom_segment"]._description_selection(env)
    )
    members = env["telecom.segment.member"]
    names = {"telecom.region": {}, "product.product": {}}
    row, last_id = 0, 0
    while True:
        query = members._search(
            [
                ("segment_id", "=", segment.id),
                ("snapshot_id", "=", False),
                ("id", ">", last_id),
            ],
            order="id",
            limit=batch_size,
        )
        query.add_join(
            "JOIN",
            "partner",
            "res_partner",
            SQL("partner.id = telecom_segment_member.partner_id"),
        )
        env.cr.execute(
            query.select(
                SQL(
                    """telecom_segment_member.id, partner.id, partner.name,
                       partner.telecom_segment, telecom_segment_member.region_id,
                       telecom_segment_member.tariff_id,
                       telecom_segment_member.churn_risk,
                       telecom_segment_member.date_entered"""
                )
            )
        )
        rows = env.cr.fetchall()
        if not rows:
            break
        # the few zones and tariffs of the batch, named once (translated)
        for model, position in (("telecom.region", 4), ("product.product", 5)):
            unknown = {r[position] for r in rows if r[position]} - set(names[model])
            for record in env[model].sudo().browse(unknown):
                # names only: the rows themselves were read under the user's rules
                names[model][record.id] = record.display_name
        for values in rows:
            row += 1
            sheet.write_number(row, 0, values[1])
            sheet.write_string(row, 1, values[2] or "")
            sheet.write_string(row, 2, customer_segments.get(values[3], ""))
            sheet.write_string(row, 3, names["telecom.region"].get(values[4], ""))
            sheet.write_string(row, 4, names["product.product"].get(values[5], ""))
            sheet.write_number(row, 5, values[6] or 0)
            if values[7]:
                sheet.write_datetime(row, 6, values[7], date_format)
        last_id = rows[-1][0]
    sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
    workbook.close()
    return row
