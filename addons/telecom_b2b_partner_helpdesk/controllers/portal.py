"""Corporate portal, service desk side: the company's SLA compliance per
month (page and XLSX download) and the service credits it earned.

Tickets themselves are helpdesk_mgmt's portal pages (/my/tickets,
/my/ticket/<id>, /new/ticket), whose record rules this bridge extends to the
company's sites (``controllers/ticket.py`` adds the site to the new ticket
form). Pages only parse, check and render.
"""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import content_disposition, request

from odoo.addons.telecom_b2b_partner.controllers.portal import (
    TelecomB2bCorporatePortal,
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CREDIT_STATES_SHOWN = ("approved", "sent")


class TelecomB2bHelpdeskPortal(TelecomB2bCorporatePortal):
    def _prepare_telecom_b2b_home_values(self, contact):
        values = super()._prepare_telecom_b2b_home_values(contact)
        values["telecom_b2b_ticket_count"] = request.env[
            "helpdesk.ticket"
        ].search_count([])
        return values

    def _telecom_b2b_sla_month(self, month):
        """(first day of the month, error message or None)."""
        Compliance = request.env["telecom.b2b.sla.compliance"]
        try:
            return Compliance._parse_month(month), None
        except UserError as error:
            return Compliance._parse_month(None), error.args[0]

    @http.route(["/my/corporate/sla"], type="http", auth="user", website=True)
    def portal_telecom_b2b_sla(self, month=None, **kw):
        contact = self._telecom_b2b_contact()
        if not contact:
            return self._telecom_b2b_not_found()
        month_start, error = self._telecom_b2b_sla_month(month)
        rows, totals = request.env["telecom.b2b.sla.compliance"]._compute_rows(
            month_start
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_b2b_sla",
                "telecom_b2b_month": month_start.strftime("%Y-%m"),
                "telecom_b2b_sla_rows": rows,
                "telecom_b2b_sla_totals": totals,
                "error": error,
            }
        )
        return request.render(
            "telecom_b2b_partner_helpdesk.portal_telecom_b2b_sla", values
        )

    @http.route(["/my/corporate/sla/xlsx"], type="http", auth="user", website=True)
    def portal_telecom_b2b_sla_xlsx(self, month=None, **kw):
        contact = self._telecom_b2b_contact()
        if not contact:
            return self._telecom_b2b_not_found()
        month_start, error = self._telecom_b2b_sla_month(month)
        if error:
            return request.redirect("/my/corporate/sla")
        company = contact.commercial_partner_id.sudo()  # its own company's name
        content = request.env["telecom.b2b.sla.compliance"]._build_xlsx(
            company.name, month_start
        )
        filename = f"sla_compliance_{month_start.strftime('%Y-%m')}.xlsx"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(len(content))),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    @http.route(["/my/corporate/credits"], type="http", auth="user", website=True)
    def portal_telecom_b2b_credits(self, **kw):
        contact = self._telecom_b2b_contact()
        if not contact:
            return self._telecom_b2b_not_found()
        statements = request.env["telecom.b2b.credit.statement"].search(
            [("state", "in", CREDIT_STATES_SHOWN)], order="period_start desc, id desc"
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_b2b_credits",
                # sudo: found above under the user's record rules
                "telecom_b2b_statements": statements.sudo(),
            }
        )
        return request.render(
            "telecom_b2b_partner_helpdesk.portal_telecom_b2b_credits", values
        )
