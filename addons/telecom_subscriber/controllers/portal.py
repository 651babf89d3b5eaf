"""Subscriber portal: my services, my requests, and the self-service requests.

The pages only parse, check access and render; what a subscriber may do lives in
model methods (``telecom.service._portal_create_request``,
``_portal_request_block_lost_sim``). Portal users read their own records through
the portal record rules of this addon. A line that is not the user's and a line
that does not exist get the same answer (a redirect to /my).
"""

from odoo import fields, http
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
        """Services of the user's subscriber (or of their company), and the lines
        the user uses for another holder."""
        user = request.env.user
        return [
            "|",
            ("partner_id", "child_of", user.commercial_partner_id.id),
            ("user_partner_id", "=", user.partner_id.id),
        ]

    def _get_telecom_request_domain(self):
        """Requests of the user's subscriber and of the lines they use (not the
        holder's claims); drafts are agents' work in progress."""
        user = request.env.user
        return [
            "|",
            ("partner_id", "child_of", user.commercial_partner_id.id),
            "&",
            ("service_id.user_partner_id", "=", user.partner_id.id),
            ("request_type", "!=", "claim"),
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
        records, values = self._telecom_list_values(
            request.env[model_name], url, page, sortby, filterby, options
        )
        request.session[options["history"]] = records.ids[:100]
        # sudo: the records were found above under the user's record rules;
        # the rows also show catalog names, which portal users cannot read
        values[options["key"]] = records.sudo()
        return request.render(options["template"], values)

    def _telecom_list_values(self, model, url, page, sortby, filterby, options):
        """The page of ``model``'s records a portal list shows, and its values.

        ``options`` gives the ``domain``, ``sortings`` and ``filters`` (the first
        sorting is the default, a filter ``all`` must exist) and the ``key`` of the
        records in the values. The filter bar is hidden when there is one filter.
        """
        sortings, filters = options["sortings"], options["filters"]
        sortby = sortby if sortby in sortings else next(iter(sortings))
        filterby = filterby if filterby in filters else "all"
        domain = options["domain"] + filters[filterby]["domain"]
        pager = portal_pager(
            url=url,
            url_args={"sortby": sortby, "filterby": filterby},
            total=model.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        records = model.search(
            domain,
            order=sortings[sortby]["order"],
            limit=self._items_per_page,
            offset=pager["offset"],
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                options["key"]: records,
                "page_name": options["key"],
                "pager": pager,
                "default_url": url,
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters if len(filters) > 1 else {},
                "filterby": filterby,
            }
        )
        return records, values

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

    @http.route(
        ["/my/services/<int:service_id>/request/<string:request_type>"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_my_telecom_service_request(self, service_id, request_type, **post):
        """The form of a self-service request on a line (GET), and its sending (POST).

        A refused request shows the error on the form, with what was typed.
        """
        try:
            service_sudo = self._document_check_access("telecom.service", service_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if request_type not in service_sudo._portal_available_request_types():
            return request.redirect(f"/my/services/{service_id}")
        if request.httprequest.method != "POST":
            return self._render_telecom_request_form(service_sudo, request_type, {})
        service = request.env["telecom.service"].browse(service_id)
        try:
            new_request = service._portal_create_request(request_type, post)
        except UserError as error:  # AccessError too: a line user of the line
            return self._render_telecom_request_form(
                service_sudo, request_type, post, error=error.args[0]
            )
        return request.redirect(f"/my/requests/{new_request.id}?telecom_created=1")

    def _render_telecom_request_form(
        self, service_sudo, request_type, form, error=None
    ):
        service = request.env["telecom.service"].browse(service_sudo.id)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_service_request",
                "telecom_service": service_sudo,
                "telecom_request_type": request_type,
                "telecom_is_holder": service._portal_is_holder(),
                "telecom_form": form,
                "error": error,
            }
        )
        if request_type == "tariff_change":
            values["telecom_tariff_offers"] = service_sudo._portal_tariff_offers()
            values["telecom_next_cycle_date"] = (
                service_sudo.account_id._next_billing_date(
                    fields.Date.context_today(service_sudo)
                )
            )
        if request_type == "option_change":
            values["telecom_options_to_add"] = service_sudo._portal_options_to_add()
        if request_type == "claim":
            values["telecom_claim_categories"] = service_sudo._portal_selection(
                "claim_category"
            )
        if request_type == "sim_swap":
            values["telecom_sim_swap_reasons"] = service_sudo._portal_selection(
                "sim_swap_reason"
            )
        if request_type == "termination":
            values["telecom_termination_reasons"] = service_sudo._portal_selection(
                "termination_reason"
            )
        if request_type == "port_out":
            values["telecom_operators"] = service_sudo._portal_choices(
                "recipient_operator_id"
            )
            values["telecom_port_window"] = service_sudo._portal_port_date_window()
        return request.render(
            "telecom_subscriber.portal_my_telecom_service_request", values
        )

    def _render_telecom_service(self, service_sudo, **kw):
        service = request.env["telecom.service"].browse(service_sudo.id)
        values = {
            "page_name": "telecom_service",
            "telecom_service": service_sudo,
            "telecom_is_holder": service._portal_is_holder(),
            "telecom_request_types": service_sudo._portal_available_request_types(),
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
    def portal_my_telecom_request(
        self, request_id, telecom_lost_sim=None, telecom_created=None, **kw
    ):
        try:
            request_sudo = self._document_check_access("telecom.request", request_id)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {
            "page_name": "telecom_request",
            "telecom_request": request_sudo,
            "telecom_lost_sim": bool(telecom_lost_sim),
            "telecom_created": bool(telecom_created),
        }
        values = self._get_page_view_values(
            request_sudo, None, values, "my_telecom_requests_history", False, **kw
        )
        return request.render("telecom_subscriber.portal_my_telecom_request", values)
