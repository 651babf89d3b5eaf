"""Agent portal: the commission statements of the user's dealer or agent.

The pages only parse, check access and render. Portal users read the approved
and paid statements of their own commercial partner through this addon's
record rules; another agent's statement, or one that does not exist, sends
back to /my alike (its existence is never told).
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

STATEMENT_MODEL = "telecom.b2b.commission.statement"


class TelecomB2bCommissionPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "telecom_b2b_commission_count" in counters:
            Statement = request.env[STATEMENT_MODEL]
            values["telecom_b2b_commission_count"] = (
                Statement.search_count(self._get_telecom_b2b_commission_domain())
                if Statement.has_access("read")
                else 0
            )
        return values

    def _get_telecom_b2b_commission_domain(self):
        """Statements of the user's dealer or agent (the record rules say the
        same for portal users; internal users see what their zones allow)."""
        return [("agent_id", "=", request.env.user.commercial_partner_id.id)]

    @http.route(
        ["/my/commissions", "/my/commissions/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_b2b_commissions(self, page=1, **kw):
        Statement = request.env[STATEMENT_MODEL]
        if not Statement.has_access("read"):
            return request.redirect("/my")
        domain = self._get_telecom_b2b_commission_domain()
        pager = portal_pager(
            url="/my/commissions",
            total=Statement.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        statements = Statement.search(
            domain, limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_telecom_b2b_commissions_history"] = statements.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "telecom_b2b_statements": statements,
                "page_name": "telecom_b2b_commissions",
                "pager": pager,
                "default_url": "/my/commissions",
            }
        )
        return request.render(
            "telecom_b2b_partner.portal_my_telecom_b2b_commissions", values
        )

    @http.route(
        ["/my/commissions/<int:statement_id>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_b2b_commission(self, statement_id, **kw):
        try:
            statement_sudo = self._document_check_access(STATEMENT_MODEL, statement_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {
            "page_name": "telecom_b2b_commission",
            "telecom_b2b_statement": statement_sudo,
            # sudo: the statement passed the user's access check above; its
            # lines name services and requests portal users cannot read
            "telecom_b2b_lines": statement_sudo.line_ids,
        }
        values = self._get_page_view_values(
            statement_sudo,
            None,
            values,
            "my_telecom_b2b_commissions_history",
            False,
            **kw,
        )
        return request.render(
            "telecom_b2b_partner.portal_my_telecom_b2b_commission", values
        )
