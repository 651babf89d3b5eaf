from collections import Counter

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.telecom_subscriber.tools.selections import (
    ACCESS_TECHNOLOGIES,
    SERVICE_TYPES,
)

from .sla_selections import SEGMENTS


class TelecomRoutingRule(models.Model):
    """Which team a new ticket goes to: zone × expertise × segment × priority.

    Applied at creation to tickets given no team and no assignee; rules are
    tried by sequence, conditions left empty match anything. The assignee is then
    the team member on shift now with the fewest open tickets.
    """

    _name = "telecom.routing.rule"
    _description = "Ticket Routing Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    region_ids = fields.Many2many(
        "telecom.region",
        string="Zones",
        help="Zones of responsibility, their sub-zones included. Empty: any zone.",
    )
    category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        string="Categories",
        help="Expertise: these categories and their sub-categories. Empty: any.",
    )
    service_type = fields.Selection(SERVICE_TYPES, help="Empty: any service type.")
    access_technology = fields.Selection(
        ACCESS_TECHNOLOGIES, help="Empty: any technology."
    )
    segment = fields.Selection(SEGMENTS, help="Empty: any segment.")
    priority_ids = fields.Many2many(
        "telecom.ticket.priority", string="Priorities", help="Empty: any priority."
    )
    team_id = fields.Many2one(
        "helpdesk.ticket.team", required=True, check_company=True, ondelete="cascade"
    )
    assign_user = fields.Boolean(
        string="Assign an Agent",
        default=True,
        help="Assign the ticket to the team member on shift with the fewest open "
        "tickets; otherwise the ticket waits in the team's queue.",
    )

    # ------------------------------------------------------------------
    # routing
    # ------------------------------------------------------------------
    @api.model
    def _route(self, vals_list):
        """Fill ``team_id`` and ``user_id`` of new tickets given neither.

        Set-based: the subscribers, services and accounts named by the values
        are read at once, the rules once, the shifts and loads of the candidate
        teams in two queries. Returns the indexes of the tickets routed to a
        team with nobody on shift.
        """
        if self.env.context.get("telecom_helpdesk_no_routing"):
            return []
        todo = [
            index
            for index, vals in enumerate(vals_list)
            if not vals.get("team_id") and not vals.get("user_id")
        ]
        if not todo:
            return []
        facts = self._prepare_routing_facts([vals_list[index] for index in todo])
        rules = self.search([])
        chosen = {}
        for index, fact in zip(todo, facts, strict=True):
            rule = next((rule for rule in rules if rule._matches(fact)), None)
            if rule:
                chosen[index] = rule
        if not chosen:
            return []
        teams = self.env["helpdesk.ticket.team"].union(
            *(rule.team_id for rule in chosen.values() if rule.assign_user)
        )
        available = self._available_members(teams)
        load = self._open_ticket_load(teams)
        unstaffed = []
        for index, rule in chosen.items():
            vals_list[index]["team_id"] = rule.team_id.id
            if not rule.assign_user:
                continue
            members = available.get(rule.team_id.id, [])
            if not members:
                vals_list[index]["user_id"] = False
                unstaffed.append(index)
                continue
            user_id = min(members, key=lambda uid: (load[uid], uid))
            load[user_id] += 1
            vals_list[index]["user_id"] = user_id
        return unstaffed

    @api.model
    def _prepare_routing_facts(self, vals_list):
        """What the rules look at, per ticket values (hook)."""
        Partner = self.env["res.partner"]
        Service = self.env["telecom.service"]
        Account = self.env["telecom.account"]
        # browse all at once: one prefetch per model
        partners = Partner.browse({v.get("partner_id") for v in vals_list} - {None})
        services = Service.browse(
            {v.get("telecom_service_id") for v in vals_list} - {None, False}
        )
        accounts = Account.browse(
            {v.get("telecom_account_id") for v in vals_list} - {None, False}
        )
        # sudo: routing reads zones of records the creator may not see (a ticket
        # opened for another zone's subscriber goes to that zone's team)
        partners, services, accounts = partners.sudo(), services.sudo(), accounts.sudo()
        partners.fetch(["telecom_region_id", "commercial_partner_id"])
        services.fetch(["region_id", "service_type", "access_technology"])
        matrix = self.env["telecom.priority.matrix"]._get_matrix()
        facts = []
        for vals in vals_list:
            partner = partners.browse(vals.get("partner_id") or [])
            service = services.browse(vals.get("telecom_service_id") or [])
            account = accounts.browse(vals.get("telecom_account_id") or [])
            region_id = (
                vals.get("telecom_region_id")
                or service.region_id.id
                or account.region_id.id
                or partner.telecom_region_id.id
                or partner.commercial_partner_id.telecom_region_id.id
            )
            facts.append(
                {
                    "company_id": vals.get("company_id") or self.env.company.id,
                    "region": self.env["telecom.region"].browse(region_id or []),
                    "category": self.env["helpdesk.ticket.category"].browse(
                        vals.get("category_id") or []
                    ),
                    "service_type": service.service_type,
                    "access_technology": service.access_technology,
                    "segment": partner.commercial_partner_id.telecom_segment,
                    "priority": vals.get("priority")
                    or matrix.get(
                        (vals.get("telecom_impact"), vals.get("telecom_urgency"))
                    ),
                }
            )
        return facts

    def _matches(self, fact):
        self.ensure_one()
        if self.company_id.id != fact["company_id"]:
            return False
        if self.region_ids and not self._path_in(fact["region"], self.region_ids):
            return False
        if self.category_ids and not self._path_in(fact["category"], self.category_ids):
            return False
        if self.service_type and fact["service_type"] != self.service_type:
            return False
        if self.access_technology and (
            fact["access_technology"] != self.access_technology
        ):
            return False
        if self.segment and fact["segment"] != self.segment:
            return False
        if self.priority_ids and (
            fact["priority"] not in self.priority_ids.mapped("code")
        ):
            return False
        return True

    @staticmethod
    def _path_in(record, parents):
        """``record`` is one of ``parents`` or below one of them."""
        if not record:
            return False
        return any(
            record.parent_path.startswith(path)
            for path in parents.mapped("parent_path")
        )

    @api.model
    def _available_members(self, teams):
        """{team id: [user ids on shift now]}: members without a shift calendar
        are always available; the others when a working interval of their shift
        contains now (one query)."""
        result = {}
        if not teams:
            return result
        members = teams.user_ids.filtered(lambda user: user.active and not user.share)
        calendars = members.telecom_shift_calendar_id
        on_shift = set()
        if calendars:
            Interval = self.env["telecom.sla.calendar.interval"]
            Interval._ensure_keys({(calendar.id, 0) for calendar in calendars})
            self.env.cr.execute(
                SQL(
                    """SELECT DISTINCT calendar_id FROM telecom_sla_calendar_interval
                        WHERE calendar_id = ANY(%s) AND region_id IS NULL
                          AND start_at <= %s AND end_at > %s""",
                    calendars.ids,
                    fields.Datetime.now(),
                    fields.Datetime.now(),
                )
            )
            on_shift = {row[0] for row in self.env.cr.fetchall()}
        for team in teams:
            result[team.id] = [
                user.id
                for user in team.user_ids & members
                if not user.telecom_shift_calendar_id
                or user.telecom_shift_calendar_id.id in on_shift
            ]
        return result

    @api.model
    def _open_ticket_load(self, teams):
        """Open tickets per member of ``teams``, in one grouped query."""
        load = Counter()
        if not teams:
            return load
        # sudo: the load counts every open ticket of the members, also those the
        # creator of the new ticket cannot see
        for user, count in (
            self.env["helpdesk.ticket"]
            .sudo()
            ._read_group(
                [("user_id", "in", teams.user_ids.ids), ("closed", "=", False)],
                ["user_id"],
                ["__count"],
            )
        ):
            load[user.id] = count
        return load

    @api.model
    def _notify_unstaffed(self, tickets):
        """Nobody of the team is on shift: an activity for each team leader."""
        activity_type = self.env.ref(
            "telecom_helpdesk_sla.mail_activity_type_telecom_unassigned"
        )
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        vals_list = [
            {
                "res_model_id": model_id,
                "res_id": ticket.id,
                "activity_type_id": activity_type.id,
                "user_id": ticket.team_id.user_id.id,
                "summary": self.env._(
                    "Nobody of %(team)s is on shift", team=ticket.team_id.name
                ),
                "date_deadline": fields.Date.context_today(self),
            }
            for ticket in tickets
            if ticket.team_id.user_id
        ]
        if vals_list:
            # sudo: the system schedules work for the team leader
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(vals_list)
