"""Corporate customer portal: the company's sites and services, its contracts
and their documents, and (for the customer's portal administrator) which sites
each contact sees.

The pages only parse, check and render; who sees what is decided by the record
rules and by ``res.partner._telecom_b2b_portal_*``. A record that is not the
user's and a record that does not exist get the same answer (a redirect to
/my), whatever the id or token given.
"""

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

NOT_FOUND_URL = "/my"


class TelecomB2bCorporatePortal(CustomerPortal):
    # ------------------------------------------------------------------
    # Who is a corporate contact
    # ------------------------------------------------------------------
    def _telecom_b2b_contact(self):
        """The user's contact when it is a corporate contact, else None."""
        partner = request.env.user.partner_id
        return partner if partner._telecom_b2b_is_corporate_contact() else None

    def _prepare_portal_layout_values(self):
        values = super()._prepare_portal_layout_values()
        # the portal's home shows the corporate account to corporate contacts
        values["telecom_b2b_is_corporate_contact"] = bool(self._telecom_b2b_contact())
        return values

    def _telecom_b2b_not_found(self):
        return request.redirect(NOT_FOUND_URL)

    # ------------------------------------------------------------------
    # Overview: sites and their services
    # ------------------------------------------------------------------
    @http.route(["/my/corporate"], type="http", auth="user", website=True)
    def portal_telecom_b2b_home(self, **kw):
        contact = self._telecom_b2b_contact()
        if not contact:
            return self._telecom_b2b_not_found()
        values = self._prepare_portal_layout_values()
        values.update(self._prepare_telecom_b2b_home_values(contact))
        return request.render("telecom_b2b_partner.portal_telecom_b2b_home", values)

    def _prepare_telecom_b2b_home_values(self, contact):
        """Values of the corporate overview (hook for the helpdesk bridge)."""
        sites = contact._telecom_b2b_portal_sites()
        # the services the user may read (record rules), grouped by site
        services = request.env["telecom.service"].search(
            [("partner_id", "child_of", sites.ids)], order="name, id"
        )
        return {
            "page_name": "telecom_b2b_home",
            "telecom_b2b_contact": contact,
            "telecom_b2b_company": contact.commercial_partner_id.sudo(),
            "telecom_b2b_sites": sites,
            # sudo: found above under the user's rules; rows show catalog names
            "telecom_b2b_services_by_site": services.sudo().grouped(
                lambda service: service.partner_id.commercial_partner_id
            ),
            "telecom_b2b_contracts": request.env["telecom.b2b.contract"].search(
                [], order="date_end desc, id desc"
            ),
            "telecom_b2b_is_admin": contact._telecom_b2b_is_portal_admin(),
        }

    # ------------------------------------------------------------------
    # Contracts and their documents
    # ------------------------------------------------------------------
    @http.route(["/my/corporate/contracts"], type="http", auth="user", website=True)
    def portal_telecom_b2b_contracts(self, **kw):
        if not self._telecom_b2b_contact():
            return self._telecom_b2b_not_found()
        contracts = request.env["telecom.b2b.contract"].search(
            [], order="date_end desc, id desc"
        )
        request.session["my_telecom_b2b_contracts_history"] = contracts.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_b2b_contracts",
                # sudo: found above under the user's rules
                "telecom_b2b_contracts": contracts.sudo(),
            }
        )
        return request.render(
            "telecom_b2b_partner.portal_telecom_b2b_contracts", values
        )

    def _telecom_b2b_contract_sudo(self, contract_id):
        """The contract ``contract_id`` in sudo when the user, a corporate
        contact, sees it (record rules), else an empty recordset: missing and not
        yours look the same."""
        if not self._telecom_b2b_contact():
            return request.env["telecom.b2b.contract"]
        contract = request.env["telecom.b2b.contract"].search(
            [("id", "=", contract_id)]
        )
        return contract.sudo()

    @http.route(
        ["/my/corporate/contracts/<int:contract_id>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_telecom_b2b_contract(self, contract_id, **kw):
        contract_sudo = self._telecom_b2b_contract_sudo(contract_id)
        if not contract_sudo:
            return self._telecom_b2b_not_found()
        visible_sites = request.env.user.partner_id._telecom_b2b_portal_sites()
        values = {
            "page_name": "telecom_b2b_contract",
            "telecom_b2b_contract": contract_sudo,
            # only the covered sites and services the user sees
            "telecom_b2b_contract_sites": contract_sudo.site_ids & visible_sites,
            # sudo: found under the user's rules; rows show catalog names
            "telecom_b2b_contract_services": request.env["telecom.service"]
            .search([("id", "in", contract_sudo.service_ids.ids)])
            .sudo(),
        }
        values = self._get_page_view_values(
            contract_sudo,
            None,
            values,
            "my_telecom_b2b_contracts_history",
            False,
            **kw,
        )
        return request.render("telecom_b2b_partner.portal_telecom_b2b_contract", values)

    @http.route(
        ["/my/corporate/contracts/<int:contract_id>/documents/<int:document_id>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_telecom_b2b_contract_document(self, contract_id, document_id, **kw):
        contract_sudo = self._telecom_b2b_contract_sudo(contract_id)
        document_sudo = contract_sudo.document_ids.filtered(
            lambda document: document.id == document_id
        )
        if not document_sudo:
            return self._telecom_b2b_not_found()
        return (
            request.env["ir.binary"]
            ._get_stream_from(document_sudo)
            .get_response(as_attachment=True)
        )

    # ------------------------------------------------------------------
    # Site access of the contacts (the customer's portal administrator)
    # ------------------------------------------------------------------
    @http.route(["/my/corporate/access"], type="http", auth="user", website=True)
    def portal_telecom_b2b_access(self, saved=None, **kw):
        admin = request.env.user.partner_id
        if not admin._telecom_b2b_is_portal_admin():
            return self._telecom_b2b_not_found()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_b2b_access",
                "telecom_b2b_employees": admin._telecom_b2b_portal_employees(),
                "telecom_b2b_sites": admin._telecom_b2b_portal_sites(),
                "telecom_b2b_saved": bool(saved),
            }
        )
        return request.render("telecom_b2b_partner.portal_telecom_b2b_access", values)

    @http.route(
        ["/my/corporate/access/<int:contact_id>"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_telecom_b2b_access_save(self, contact_id, **kw):
        try:
            site_ids = [
                int(value) for value in request.httprequest.form.getlist("site_ids")
            ]
        except ValueError:
            return self._telecom_b2b_not_found()
        contact = request.env["res.partner"].browse(contact_id)
        try:
            contact._telecom_b2b_portal_grant_sites(site_ids)
        except AccessError:
            return self._telecom_b2b_not_found()
        return request.redirect("/my/corporate/access?saved=1")
