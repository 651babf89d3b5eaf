"""Subscriber portal: my services, my requests, and blocking a lost SIM card.

The pages only parse, check access and render; what a subscriber may do lives in
model methods (``telecom.service._portal_request_block_lost_sim``). Portal users
read their own records through the portal record rules of this addon.
"""

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class TelecomCustomerPortal(CustomerPortal):
    _telecom_recent_request_limit = 10

    # ------------------------------------------------------------------
    # Home counters
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "telecom_service_count" in counters:
            Service = request.env["telecom.service"]
            values["telecom_service_count"] = (
                Service.search_count(self._get_telecom_service_domain())
                if Service.has_access("read")
                else 0
            )
        if "telecom_request_count" in counters:
            Request = request.env["telecom.request"]
            values["telecom_request_count"] = (
                Request.search_count(self._get_telecom_request_domain())
                if Request.has_access("read")
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Domains, sortings, filters (extension hooks)
    # ------------------------------------------------------------------
    def _get_telecom_service_domain(self):
        """Services of the user's subscriber (or of their company)."""
        return [("partner_id", "child_of", request.env.user.commercial_partner_id.id)]

    def _get_telecom_request_domain(self):
        """Requests of the user's subscriber; drafts are agents' work in progress."""
        return [
            ("partner_id", "child_of", request.env.user.commercial_partner_id.id),
            ("state", "!=", "draft"),
        ]

    def _get_telecom_service_searchbar_sortings(self):
        env = request.env
        return {
            "name": {"label": env._("Number / Address"), "order": "name asc, id asc"},
            "state": {"label": env._("Status"), "order": "state asc, name asc, id asc"},
            "date": {"label": env._("Newest"), "order": "id desc"},
        }

    def _get_telecom_service_searchbar_filters(self):
        env = request.env
        return {
            "all": {"label": env._("All"), "domain": []},
            "live": {
                "label": env._("Current"),
                "domain": [("state", "!=", "terminated")],
            },
            "terminated": {
                "label": env._("Terminated"),
                "domain": [("state", "=", "terminated")],
            },
        }

    def _get_telecom_request_searchbar_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Newest"), "order": "id desc"},
            "name": {"label": env._("Number"), "order": "name desc, id desc"},
            "state": {"label": env._("Status"), "order": "state asc, id desc"},
        }

    def _get_telecom_request_searchbar_filters(self):
        env = request.env
        return {
            "all": {"label": env._("All"), "domain": []},
            "open": {
                "label": env._("In Progress"),
                "domain": [("is_closed", "=", False)],
            },
            "closed": {"label": env._("Closed"), "domain": [("is_closed", "=", True)]},
        }

    def _render_telecom_list(self, model_name, url, page, sortby, filterby, options):
        """Render a portal list of ``model_name`` with pager, sortings and filters.

        ``options`` gives the ``domain``, ``sortings``, ``filters``, the ``template``,
        the ``key`` of the records in the values and the session ``history`` key.
        """
        sortings, filters = options["sortings"], options["filters"]
        sortby = sortby if sortby in sortings else next(iter(sortings))
        filterby = filterby if filterby in filters else "all"
        domain = options["domain"] + filters[filterby]["domain"]
        Model = request.env[model_name]
        pager = portal_pager(
            url=url,
            url_args={"sortby": sortby, "filterby": filterby},
            total=Model.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        records = Model.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        request.session[options["history"]] = records.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                # sudo: the records were found above under the user's record rules;
                # the rows also show catalog names, which portal users cannot read
                options["key"]: records.sudo(),
                "page_name": options["key"],
                "pager": pager,
                "default_url": url,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render(options["template"], values)

    # ------------------------------------------------------------------
    # My services
    # ------------------------------------------------------------------
    @http.route(
        ["/my/services", "/my/services/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_services(self, page=1, sortby=None, filterby=None, **kw):
        return self._render_telecom_list(
            "telecom.service",
            "/my/services",
            page,
            sortby,
            filterby,
            {
                "domain": self._get_telecom_service_domain(),
                "sortings": self._get_telecom_service_searchbar_sortings(),
                "filters": self._get_telecom_service_searchbar_filters(),
                "template": "telecom_subscriber.portal_my_telecom_services",
                "key": "telecom_services",
                "history": "my_telecom_services_history",
            },
        )

    @http.route(
        ["/my/services/<int:service_id>"], type="http", auth="user", website=True
    )
    def portal_my_telecom_service(self, service_id, **kw):
        try:
            service_sudo = self._document_check_access("telecom.service", service_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        return self._render_telecom_service(service_sudo, **kw)

    @http.route(
        ["/my/services/<int:service_id>/block_lost_sim"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_my_telecom_service_block_lost_sim(self, service_id, **kw):
        try:
            service_sudo = self._document_check_access("telecom.service", service_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        service = request.env["telecom.service"].browse(service_id)
        try:
            block = service._portal_request_block_lost_sim()
        except AccessError:
            return request.redirect("/my")
        except UserError as error:
            return self._render_telecom_service(service_sudo, error=error.args[0])
        return request.redirect(f"/my/requests/{block.id}?telecom_lost_sim=1")

    def _render_telecom_service(self, service_sudo, **kw):
        values = {
            "page_name": "telecom_service",
            "telecom_service": service_sudo,
            "telecom_recent_requests": service_sudo.request_ids.filtered(
                lambda telecom_request: telecom_request.state != "draft"
            )[: self._telecom_recent_request_limit],
        }
        values = self._get_page_view_values(
            service_sudo, None, values, "my_telecom_services_history", False, **kw
        )
        return request.render("telecom_subscriber.portal_my_telecom_service", values)

    # ------------------------------------------------------------------
    # My requests
    # ------------------------------------------------------------------
    @http.route(
        ["/my/requests", "/my/requests/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_requests(self, page=1, sortby=None, filterby=None, **kw):
        return self._render_telecom_list(
            "telecom.request",
            "/my/requests",
            page,
            sortby,
            filterby,
            {
                "domain": self._get_telecom_request_domain(),
                "sortings": self._get_telecom_request_searchbar_sortings(),
                "filters": self._get_telecom_request_searchbar_filters(),
                "template": "telecom_subscriber.portal_my_telecom_requests",
                "key": "telecom_requests",
                "history": "my_telecom_requests_history",
            },
        )

    @http.route(
        ["/my/requests/<int:request_id>"], type="http", auth="user", website=True
    )
    def portal_my_telecom_request(self, request_id, telecom_lost_sim=None, **kw):
        try:
            request_sudo = self._document_check_access("telecom.request", request_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {
            "page_name": "telecom_request",
            "telecom_request": request_sudo,
            "telecom_lost_sim": bool(telecom_lost_sim),
        }
        values = self._get_page_view_values(
            request_sudo, None, values, "my_telecom_requests_history", False, **kw
        )
        return request.render("telecom_subscriber.portal_my_telecom_request", values)
