"""Dealer and agent portal: submit a lead, follow the leads brought, the deals
made of them (quotations and contracts, read-only) and the customers won.

The pages only parse, check and render; the referral is checked and created by
``crm.lead._telecom_portal_create_referral``. Agents' portal users have no
access to leads, quotations or contracts: the pages read them with ``sudo()``
on domains built from the user's commercial partner only (never from a request
value), in ``_telecom_agent_env``. A record outside them is answered exactly
like a record that does not exist: a redirect to /my, whatever the token.
"""

from odoo import http
from odoo.http import request

from odoo.addons.telecom_subscriber.controllers.portal import TelecomCustomerPortal

from ..models.crm_lead_portal import REFERRAL_FIELDS

NOT_FOUND_URL = "/my"


class TelecomAgentPortal(TelecomCustomerPortal):
    # ------------------------------------------------------------------
    # Who is an agent, and what is theirs
    # ------------------------------------------------------------------
    def _telecom_agent(self):
        """The dealer or agent company of the portal user, or None."""
        user = request.env.user
        if not user.share or user._is_public():
            return None
        agent = user.commercial_partner_id
        return agent if agent._telecom_b2b_is_portal_agent() else None

    def _telecom_agent_env(self, model_name):
        # sudo: agents' portal users have no access rights on leads, quotations,
        # contracts and customers; every search made through this model is
        # restricted by a _get_telecom_agent_*_domain built from the user's
        # commercial partner. active_test off: lost leads are archived.
        return request.env[model_name].sudo().with_context(active_test=False)

    def _get_telecom_agent_lead_domain(self, agent):
        """Leads and opportunities the agent brought."""
        return [("telecom_b2b_referrer_id", "child_of", agent.id)]

    def _get_telecom_agent_deal_domain(self, agent):
        """Quotations and orders made of the agent's leads."""
        return [("opportunity_id", "any", self._get_telecom_agent_lead_domain(agent))]

    def _get_telecom_agent_customer_domain(self, agent):
        """Customers of the deals the agent brought and won."""
        Lead = self._telecom_agent_env("crm.lead")
        won_leads = Lead.search(
            self._get_telecom_agent_lead_domain(agent)
            + [("stage_id.is_won", "=", True), ("partner_id", "!=", False)]
        )
        orders = self._telecom_agent_env("sale.order").search(
            self._get_telecom_agent_deal_domain(agent) + [("state", "=", "sale")]
        )
        customers = (won_leads.partner_id | orders.partner_id).commercial_partner_id
        return [("id", "in", customers.ids)]

    def _telecom_agent_find(self, model_name, record_id, domain):
        """The agent's record ``record_id`` (sudo), or an empty recordset when it
        is not theirs or does not exist: the caller answers both alike."""
        return self._telecom_agent_env(model_name).search(
            [("id", "=", record_id)] + domain, limit=1
        )

    # ------------------------------------------------------------------
    # Home entries and counters
    # ------------------------------------------------------------------
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        wanted = {
            "telecom_agent_lead_count": (
                "crm.lead",
                self._get_telecom_agent_lead_domain,
            ),
            "telecom_agent_deal_count": (
                "sale.order",
                self._get_telecom_agent_deal_domain,
            ),
            "telecom_agent_customer_count": (
                "res.partner",
                self._get_telecom_agent_customer_domain,
            ),
        }
        asked = [key for key in wanted if key in counters]
        agent = self._telecom_agent() if asked or not counters else None
        if not counters:  # the home page itself: show the agent's entries
            values["telecom_agent"] = bool(agent)
        for key in asked:
            model_name, get_domain = wanted[key]
            values[key] = (
                self._telecom_agent_env(model_name).search_count(get_domain(agent))
                if agent
                else 0
            )
        return values

    # ------------------------------------------------------------------
    # Lists
    # ------------------------------------------------------------------
    def _get_telecom_agent_lead_filters(self):
        env = request.env
        return {
            "all": {"label": env._("All"), "domain": []},
            "open": {
                "label": env._("In Progress"),
                "domain": [("active", "=", True), ("stage_id.is_won", "=", False)],
            },
            "won": {"label": env._("Won"), "domain": [("stage_id.is_won", "=", True)]},
            "lost": {
                "label": env._("Lost"),
                "domain": [("active", "=", False), ("probability", "=", 0)],
            },
        }

    def _get_telecom_agent_deal_filters(self):
        env = request.env
        return {
            "all": {"label": env._("All"), "domain": []},
            "quotation": {
                "label": env._("Quotations"),
                "domain": [("state", "in", ("draft", "sent"))],
            },
            "sale": {"label": env._("Signed"), "domain": [("state", "=", "sale")]},
        }

    def _get_telecom_agent_sortings(self, name_label):
        env = request.env
        return {
            "date": {"label": env._("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": name_label, "order": "name asc, id asc"},
        }

    def _render_telecom_agent_list(
        self, model_name, url, page, sortby, filterby, options
    ):
        """Render a portal list of the agent's ``model_name`` records with pager,
        sortings and filters; ``options`` gives the ``domain``, ``sortings``,
        ``filters``, the ``template`` and the ``key`` of the records."""
        _records, values = self._telecom_list_values(
            self._telecom_agent_env(model_name), url, page, sortby, filterby, options
        )
        return request.render(options["template"], values)

    @http.route(
        ["/my/agent/leads", "/my/agent/leads/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_agent_leads(self, page=1, sortby=None, filterby=None, **kw):
        agent = self._telecom_agent()
        if not agent:
            return request.redirect(NOT_FOUND_URL)
        return self._render_telecom_agent_list(
            "crm.lead",
            "/my/agent/leads",
            page,
            sortby,
            filterby,
            {
                "domain": self._get_telecom_agent_lead_domain(agent),
                "sortings": self._get_telecom_agent_sortings(request.env._("Name")),
                "filters": self._get_telecom_agent_lead_filters(),
                "template": "telecom_b2b_partner.portal_my_telecom_agent_leads",
                "key": "telecom_agent_leads",
            },
        )

    @http.route(
        ["/my/agent/deals", "/my/agent/deals/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_agent_deals(self, page=1, sortby=None, filterby=None, **kw):
        agent = self._telecom_agent()
        if not agent:
            return request.redirect(NOT_FOUND_URL)
        return self._render_telecom_agent_list(
            "sale.order",
            "/my/agent/deals",
            page,
            sortby,
            filterby,
            {
                "domain": self._get_telecom_agent_deal_domain(agent),
                "sortings": self._get_telecom_agent_sortings(request.env._("Number")),
                "filters": self._get_telecom_agent_deal_filters(),
                "template": "telecom_b2b_partner.portal_my_telecom_agent_deals",
                "key": "telecom_agent_deals",
            },
        )

    @http.route(
        ["/my/agent/customers", "/my/agent/customers/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_agent_customers(
        self, page=1, sortby=None, filterby=None, **kw
    ):
        agent = self._telecom_agent()
        if not agent:
            return request.redirect(NOT_FOUND_URL)
        env = request.env
        return self._render_telecom_agent_list(
            "res.partner",
            "/my/agent/customers",
            page,
            sortby,
            filterby,
            {
                "domain": self._get_telecom_agent_customer_domain(agent),
                "sortings": {
                    "name": {"label": env._("Name"), "order": "name asc, id asc"},
                    "date": {"label": env._("Newest"), "order": "id desc"},
                },
                "filters": {"all": {"label": env._("All"), "domain": []}},
                "template": "telecom_b2b_partner.portal_my_telecom_agent_customers",
                "key": "telecom_agent_customers",
            },
        )

    # ------------------------------------------------------------------
    # Details
    # ------------------------------------------------------------------
    @http.route(
        ["/my/agent/leads/<int:lead_id>"], type="http", auth="user", website=True
    )
    def portal_my_telecom_agent_lead(self, lead_id, submitted=None, **kw):
        agent = self._telecom_agent()
        lead = agent and self._telecom_agent_find(
            "crm.lead", lead_id, self._get_telecom_agent_lead_domain(agent)
        )
        if not lead:
            return request.redirect(NOT_FOUND_URL)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_agent_lead",
                "telecom_agent_lead": lead,
                "telecom_agent_lead_deals": self._telecom_agent_env(
                    "sale.order"
                ).search(
                    self._get_telecom_agent_deal_domain(agent)
                    + [("opportunity_id", "=", lead.id)]
                ),
                "telecom_submitted": bool(submitted),
            }
        )
        return request.render(
            "telecom_b2b_partner.portal_my_telecom_agent_lead", values
        )

    @http.route(
        ["/my/agent/deals/<int:order_id>"], type="http", auth="user", website=True
    )
    def portal_my_telecom_agent_deal(self, order_id, **kw):
        agent = self._telecom_agent()
        order = agent and self._telecom_agent_find(
            "sale.order", order_id, self._get_telecom_agent_deal_domain(agent)
        )
        if not order:
            return request.redirect(NOT_FOUND_URL)
        values = self._prepare_portal_layout_values()
        values.update({"page_name": "telecom_agent_deal", "telecom_agent_deal": order})
        return request.render(
            "telecom_b2b_partner.portal_my_telecom_agent_deal", values
        )

    @http.route(
        ["/my/agent/customers/<int:partner_id>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_telecom_agent_customer(self, partner_id, **kw):
        agent = self._telecom_agent()
        customer = agent and self._telecom_agent_find(
            "res.partner", partner_id, self._get_telecom_agent_customer_domain(agent)
        )
        if not customer:
            return request.redirect(NOT_FOUND_URL)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_agent_customer",
                "telecom_agent_customer": customer,
                "telecom_agent_customer_deals": self._telecom_agent_env(
                    "sale.order"
                ).search(
                    self._get_telecom_agent_deal_domain(agent)
                    + [("partner_id", "child_of", customer.id)]
                ),
            }
        )
        return request.render(
            "telecom_b2b_partner.portal_my_telecom_agent_customer", values
        )

    # ------------------------------------------------------------------
    # Submit a lead
    # ------------------------------------------------------------------
    @http.route(
        ["/my/agent/leads/new"],
        type="http",
        auth="user",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_my_telecom_agent_lead_new(self, **post):
        agent = self._telecom_agent()
        if not agent:
            return request.redirect(NOT_FOUND_URL)
        form = self._telecom_agent_referral_form_values(post)
        errors = {}
        if request.httprequest.method == "POST":
            # sudo: agents cannot create leads; the values are checked by the
            # model method, the referrer is the user's own commercial partner
            Lead = request.env["crm.lead"].sudo()
            errors = Lead._telecom_portal_referral_errors(form)
            if not errors:
                lead = Lead._telecom_portal_create_referral(agent, form)
                return request.redirect(f"/my/agent/leads/{lead.id}?submitted=1")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "telecom_agent_lead_new",
                "telecom_form": form,
                "telecom_errors": errors,
                "telecom_service_types": request.env[
                    "crm.lead"
                ]._telecom_portal_service_types(),
            }
        )
        return request.render(
            "telecom_b2b_partner.portal_my_telecom_agent_lead_new", values
        )

    def _telecom_agent_referral_form_values(self, post):
        """The form's strings as typed (services: the list of ticked keys)."""
        form = {field: post.get(field, "") for field in REFERRAL_FIELDS}
        form["service_types"] = request.httprequest.form.getlist("service_types")
        return form
