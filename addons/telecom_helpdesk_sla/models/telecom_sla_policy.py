from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .sla_selections import SEGMENTS


class TelecomSlaPolicy(models.Model):
    """Which SLA a ticket gets: conditions, working calendar and targets.

    Conditions left empty match anything. Policies are tried by ascending
    sequence (the explicit precedence); the first that matches wins, and the
    company's fallback policy applies when none does.
    """

    _name = "telecom.sla.policy"
    _description = "SLA Policy"
    _order = "is_fallback, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(
        default=10, help="Precedence: the policy with the lowest sequence wins."
    )
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    description = fields.Text(translate=True)
    # conditions
    priority_ids = fields.Many2many(
        "telecom.ticket.priority", string="Priorities", help="Empty: any priority."
    )
    segment = fields.Selection(SEGMENTS, help="Empty: any customer segment.")
    category_ids = fields.Many2many(
        "helpdesk.ticket.category",
        string="Categories",
        help="Empty: any category. A category also matches its sub-categories.",
    )
    channel_ids = fields.Many2many(
        "helpdesk.ticket.channel", string="Channels", help="Empty: any channel."
    )
    team_ids = fields.Many2many(
        "helpdesk.ticket.team", string="Teams", help="Empty: any team."
    )
    is_fallback = fields.Boolean(
        string="Fallback",
        help="Applies to the tickets no other policy matches; one per company.",
    )
    # clock
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        check_company=True,
        help="Working time the targets are counted in. Empty: the team's SLA "
        "calendar, else the company's working hours.",
    )
    tz_source = fields.Selection(
        [
            ("calendar", "Calendar's time zone and holidays"),
            ("region", "Ticket zone's time zone and regional holidays"),
        ],
        string="Time Zone",
        required=True,
        default="calendar",
    )
    pause_stage_ids = fields.Many2many(
        "helpdesk.ticket.stage",
        string="Clock Stops in Stages",
        help="Stages in which the ticket waits for the subscriber or a third party: "
        "the clocks stop there and resume when the ticket leaves them.",
    )
    resume_stage_id = fields.Many2one(
        "helpdesk.ticket.stage",
        string="Stage on Subscriber Reply",
        help="When the subscriber replies to a ticket waiting in one of the stages "
        "above, the ticket moves to this stage and its clocks resume. Empty: an "
        "agent moves it.",
    )
    incident_time = fields.Selection(
        [
            ("count", "Counted"),
            ("exclude", "Excluded (clock stops)"),
        ],
        string="Time Under a Mass Incident",
        required=True,
        default="count",
        help="Whether the time a ticket spends linked to an open mass incident "
        "counts against its targets.",
    )
    target_ids = fields.One2many("telecom.sla.target", "policy_id", string="Targets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")

    @api.constrains("is_fallback", "active", "company_id")
    def _check_single_fallback(self):
        companies = self.filtered(lambda p: p.is_fallback and p.active).company_id
        if not companies:
            return
        counts = self._read_group(
            [
                ("is_fallback", "=", True),
                ("company_id", "in", companies.ids),
            ],
            ["company_id"],
            ["__count"],
        )
        for company, count in counts:
            if count > 1:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has a fallback SLA policy: only one "
                        "active fallback per company.",
                        company=company.display_name,
                    )
                )

    def _compute_ticket_count(self):
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("sla_policy_id", "in", self.ids)], ["sla_policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.ticket_count = counts.get(policy, 0)

    def write(self, vals):
        result = super().write(vals)
        if {"calendar_id", "tz_source"} & set(vals):
            self.env["helpdesk.ticket"].search(
                [("sla_policy_id", "in", self.ids), ("closed", "=", False)]
            )._sla_apply_policies(force=True)
        return result

    # ------------------------------------------------------------------
    # matching
    # ------------------------------------------------------------------
    @api.model
    def _get_policy_domain(self, companies):
        """Policies candidate for tickets of ``companies`` (hook)."""
        return [("company_id", "in", companies.ids)]

    @api.model
    def _match(self, tickets):
        """The policy of each ticket: {ticket: policy}, set-based.

        Loads the candidate policies once and matches them in memory on the
        tickets' fields; a bridge adds conditions by extending
        :meth:`_prepare_match_values` and :meth:`_matches`.
        """
        policies = self.search(self._get_policy_domain(tickets.company_id))
        by_company = {}
        for policy in policies:  # ordered: sequence, fallback last
            by_company.setdefault(policy.company_id, []).append(policy)
        result, known = {}, {}
        for ticket in tickets:
            values = self._prepare_match_values(ticket)
            # tickets that look the same to the policies match once
            key = (ticket.company_id, *values.items())
            try:
                result[ticket] = known[key]
            except KeyError:
                known[key] = result[ticket] = self._first_match(
                    by_company.get(ticket.company_id, []), values
                )
            except TypeError:  # a bridge's value cannot be a key
                result[ticket] = self._first_match(
                    by_company.get(ticket.company_id, []), values
                )
        return result

    @api.model
    def _first_match(self, policies, values):
        return next(
            (policy for policy in policies if policy._matches(values)), self.browse()
        )

    @api.model
    def _prepare_match_values(self, ticket):
        """What a policy looks at on a ticket (hook)."""
        return {
            "priority": ticket.priority,
            "segment": ticket.telecom_segment,
            "category": ticket.category_id,
            "channel": ticket.channel_id,
            "team": ticket.team_id,
        }

    def _matches(self, values):
        """Whether this policy applies to a ticket described by ``values``."""
        self.ensure_one()
        return self.is_fallback or not self._failed_conditions(values)

    def _failed_conditions(self, values):
        """Names of the conditions ``values`` does not meet (for explanations)."""
        failed = []
        if self.priority_ids and values["priority"] not in self.priority_ids.mapped(
            "code"
        ):
            failed.append("priority")
        if self.segment and values["segment"] != self.segment:
            failed.append("segment")
        if self.category_ids and not self._category_matches(values["category"]):
            failed.append("category")
        if self.channel_ids and values["channel"] not in self.channel_ids:
            failed.append("channel")
        if self.team_ids and values["team"] not in self.team_ids:
            failed.append("team")
        return failed

    def _category_matches(self, category):
        if not category:
            return False
        paths = self.category_ids.mapped("parent_path")
        return any(category.parent_path.startswith(path) for path in paths)

    def _get_calendar(self, team):
        """Working calendar of the policy for a ticket of ``team``."""
        self.ensure_one()
        return (
            self.calendar_id
            or team.telecom_calendar_id
            or self.company_id.resource_calendar_id
        )

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("sla_policy_id", "=", self.id)]
        action["context"] = {}
        return action
