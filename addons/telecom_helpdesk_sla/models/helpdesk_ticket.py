from markupsafe import Markup
from pytz import utc

from odoo import api, fields, models
from odoo.tools import SQL, format_datetime

from .sla_selections import (
    ACTIVE_INCIDENT_STATES,
    IMPACTS,
    SATISFACTION,
    TICKET_SLA_STATUSES,
    URGENCIES,
)

# a change of these fields may change the ticket's SLA policy
POLICY_TRIGGERS = {
    "priority",
    "telecom_impact",
    "telecom_urgency",
    "category_id",
    "channel_id",
    "team_id",
    "partner_id",
    "company_id",
}


class HelpdeskTicket(models.Model):
    """A ticket of OCA helpdesk_mgmt, linked to the subscriber's world and
    driven by the SLA engine (``telecom.sla.line``), routing and incidents."""

    _inherit = "helpdesk.ticket"

    # links to the subscriber
    telecom_service_id = fields.Many2one(
        "telecom.service",
        string="Service",
        index="btree_not_null",
        ondelete="set null",
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    telecom_account_id = fields.Many2one(
        "telecom.account",
        string="Account",
        compute="_compute_telecom_account_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        ondelete="set null",
    )
    telecom_region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        compute="_compute_telecom_region_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        help="Zone of responsibility the ticket belongs to: the service's, else the "
        "account's, else the subscriber's.",
    )
    telecom_segment = fields.Selection(
        related="partner_id.commercial_partner_id.telecom_segment",
        string="Segment",
        store=True,
    )
    telecom_service_type = fields.Selection(
        related="telecom_service_id.service_type", string="Service Type", store=True
    )
    telecom_access_technology = fields.Selection(
        related="telecom_service_id.access_technology",
        string="Access Technology",
        store=True,
    )
    # priority from the impact × urgency matrix
    telecom_impact = fields.Selection(IMPACTS, string="Impact", tracking=True)
    telecom_urgency = fields.Selection(URGENCIES, string="Urgency", tracking=True)
    priority = fields.Selection(
        compute="_compute_priority",
        store=True,
        readonly=False,
        precompute=True,
        default=None,
        tracking=True,
    )
    # SLA
    telecom_sla_start_date = fields.Datetime(
        string="SLA Clock Start", readonly=True, copy=False
    )
    sla_policy_id = fields.Many2one(
        "telecom.sla.policy",
        string="SLA Policy",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    sla_line_ids = fields.One2many(
        "telecom.sla.line", "ticket_id", string="SLA Targets", copy=False
    )
    sla_event_ids = fields.One2many(
        "telecom.sla.event", "ticket_id", string="SLA Journal", copy=False
    )
    sla_status = fields.Selection(
        TICKET_SLA_STATUSES,
        string="SLA Status",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Nearest deadline among the running SLA targets.",
    )
    sla_explanation = fields.Html(
        string="How the Deadlines Were Computed",
        compute="_compute_sla_explanation",
        sanitize=False,
    )
    telecom_first_response_date = fields.Datetime(
        string="First Response", readonly=True, copy=False
    )
    # escalation
    telecom_escalation_level = fields.Integer(
        string="Escalation Level", readonly=True, copy=False, default=0
    )
    telecom_escalation_firing_ids = fields.One2many(
        "telecom.escalation.firing", "ticket_id", string="Escalations", copy=False
    )
    # incidents and satisfaction
    incident_id = fields.Many2one(
        "telecom.incident",
        string="Mass Incident",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        copy=False,
    )
    incident_state = fields.Selection(related="incident_id.state")
    incident_public_message = fields.Text(related="incident_id.public_message")
    telecom_satisfaction = fields.Selection(
        SATISFACTION,
        string="Satisfaction",
        help="The subscriber's rating, captured when the ticket is closed.",
    )

    @api.depends("telecom_service_id")
    def _compute_telecom_account_id(self):
        for ticket in self:
            if ticket.telecom_service_id:
                ticket.telecom_account_id = ticket.telecom_service_id.account_id

    @api.depends("telecom_service_id", "telecom_account_id", "partner_id")
    def _compute_telecom_region_id(self):
        for ticket in self:
            ticket.telecom_region_id = (
                ticket.telecom_service_id.region_id
                or ticket.telecom_account_id.region_id
                or ticket.partner_id.telecom_region_id
                or ticket.partner_id.commercial_partner_id.telecom_region_id
                or ticket.telecom_region_id
            )

    @api.depends("telecom_impact", "telecom_urgency")
    def _compute_priority(self):
        matrix = None
        for ticket in self:
            if ticket.telecom_impact and ticket.telecom_urgency:
                if matrix is None:
                    matrix = self.env["telecom.priority.matrix"]._get_matrix()
                key = (ticket.telecom_impact, ticket.telecom_urgency)
                ticket.priority = matrix.get(key, ticket.priority or "1")
            elif not ticket.priority:
                ticket.priority = "1"

    def _compute_sla_explanation(self):
        for ticket in self:
            ticket.sla_explanation = ticket._sla_explain()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._telecom_prepare_create_vals(vals_list)
        unstaffed = self.env["telecom.routing.rule"]._route(vals_list)
        self._telecom_prefill_stages(vals_list)
        tickets = super().create(vals_list)
        tickets._telecom_after_create(unstaffed)
        return tickets

    def write(self, vals):
        was_closed = (
            {ticket.id: ticket.closed for ticket in self} if "stage_id" in vals else {}
        )
        result = super().write(vals)
        if self and not self.env.context.get("telecom_sla_skip"):
            self._telecom_after_write(vals, was_closed)
        return result

    def _telecom_prepare_create_vals(self, vals_list):
        """Numbers drawn in one query per company; the SLA clock start."""
        now = fields.Datetime.now()
        pending = {}
        for vals in vals_list:
            vals.setdefault("telecom_sla_start_date", now)
            if vals.get("number", "/") == "/":
                company_id = vals.get("company_id") or self.env.company.id
                pending.setdefault(company_id, []).append(vals)
        for company_id, company_vals in pending.items():
            numbers = self._telecom_draw_numbers(company_id, len(company_vals))
            for vals, number in zip(company_vals, numbers, strict=False):
                vals["number"] = number

    def _telecom_draw_numbers(self, company_id, count):
        """``count`` ticket numbers: one nextval query for a standard sequence
        (helpdesk_mgmt draws them one by one)."""
        sequence = (
            self.env["ir.sequence"]
            .with_company(company_id)
            .search(
                [
                    ("code", "=", "helpdesk.ticket.sequence"),
                    ("company_id", "in", [company_id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        if not sequence or sequence.implementation != "standard":
            return []  # helpdesk_mgmt numbers the rest
        if sequence.use_date_range:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        return [sequence.get_next_char(row[0]) for row in self.env.cr.fetchall()]

    def _telecom_prefill_stages(self, vals_list):
        """The first stage of each team, searched once per team (helpdesk_mgmt
        searches it for every ticket)."""
        todo = [vals for vals in vals_list if "stage_id" not in vals]
        if not todo:
            return
        teams = self.env["helpdesk.ticket.team"].browse(
            {vals.get("team_id") or False for vals in todo} - {False}
        )
        first_stage = {team.id: team._get_applicable_stages()[:1].id for team in teams}
        if any(not vals.get("team_id") for vals in todo):
            first_stage[False] = (
                self.env["helpdesk.ticket.team"]._get_applicable_stages()[:1].id
            )
        for vals in todo:
            vals["stage_id"] = first_stage[vals.get("team_id") or False]

    def _telecom_after_create(self, unstaffed=()):
        now = fields.Datetime.now()
        self.env["telecom.incident"]._auto_link(self)
        self._sla_apply_policies(now)
        self._telecom_emit("ticket.created")
        if unstaffed:
            self.env["telecom.routing.rule"]._notify_unstaffed(
                self.browse([self.ids[index] for index in unstaffed])
            )

    def _telecom_after_write(self, vals, was_closed):
        now = fields.Datetime.now()
        Line = self.env["telecom.sla.line"]
        touched = False
        if "stage_id" in vals:
            closed = self.filtered(lambda t: t.closed and not was_closed.get(t.id))
            reopened = self.filtered(lambda t: not t.closed and was_closed.get(t.id))
            if closed:
                Line._stop(closed.ids, now)
                closed._telecom_emit("ticket.closed")
            if reopened:
                Line._reopen(reopened.ids, now)
            touched = True
        if POLICY_TRIGGERS & set(vals):
            self._sla_apply_policies(now, sync_summary=False)
            touched = True
        if {"stage_id", "incident_id"} & set(vals):
            self._sla_sync_pause(now)
            touched = True
        if touched:
            Line._sync_ticket_summary(self.ids)

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------
    def _sla_apply_policies(self, now=None, force=False, sync_summary=True):
        """Match the policy of each open ticket and start or retarget its clocks.

        A new ticket starts the targets of its policy; an open ticket whose
        policy changes (priority, segment, category, channel, team) keeps its
        clocks with the new targets. ``force`` retargets even without change
        (the policy's calendar changed).
        """
        now = now or fields.Datetime.now()
        self.env.flush_all()
        tickets = self.filtered(lambda ticket: not ticket.closed)
        matches = self.env["telecom.sla.policy"]._match(tickets)
        starts, retargets, assign = [], [], {}
        for ticket, policy in matches.items():
            if not policy:
                continue
            key = (
                policy._get_calendar(ticket.team_id).id,
                ticket.telecom_region_id.id if policy.tz_source == "region" else 0,
            )
            start = ticket.telecom_sla_start_date or ticket.create_date or now
            if not ticket.sla_policy_id or force or ticket.sla_policy_id != policy:
                assign[ticket.id] = policy.id
            if ticket.sla_policy_id and (force or ticket.sla_policy_id != policy):
                retargets.append((ticket.id, policy.id, *key))
            if not ticket.sla_policy_id or ticket.sla_policy_id != policy or force:
                starts.append((ticket.id, policy.id, ticket.company_id.id, *key, start))
        if assign:
            self.env.cr.execute(
                """UPDATE helpdesk_ticket t SET sla_policy_id = x.policy_id
                     FROM unnest(%s::int[], %s::int[]) AS x(id, policy_id)
                    WHERE t.id = x.id""",
                (list(assign), list(assign.values())),
            )
            self.invalidate_recordset(["sla_policy_id"])
        Line = self.env["telecom.sla.line"]
        Line._retarget(retargets, now, self.env._("The SLA policy changed."))
        Line._start(starts, now)
        tickets._sla_sync_pause(now)
        if sync_summary:
            Line._sync_ticket_summary(self.ids)

    @api.model
    def _sla_start_existing_tickets(self, batch_size=5000):
        """Open tickets without an SLA (an existing helpdesk, when this addon is
        installed) get their policy and clocks, in batches."""
        ids = self.search([("closed", "=", False), ("sla_policy_id", "=", False)]).ids
        for start in range(0, len(ids), batch_size):
            self.browse(ids[start : start + batch_size])._sla_apply_policies()
        return len(ids)

    def _sla_wanted_pauses(self):
        """{ticket id: pause reason} of the open tickets whose clocks must stop."""
        wanted = {}
        for ticket in self:
            policy = ticket.sla_policy_id
            if not policy or ticket.closed:
                continue
            if ticket.stage_id in policy.pause_stage_ids:
                wanted[ticket.id] = "stage"
            elif (
                policy.incident_time == "exclude"
                and ticket.incident_id.state in ACTIVE_INCIDENT_STATES
            ):
                wanted[ticket.id] = "incident"
        return wanted

    def _sla_sync_pause(self, now):
        """Pause the clocks of tickets that wait, resume the others."""
        tickets = self.filtered(lambda ticket: not ticket.closed)
        if not tickets:
            return
        wanted = tickets._sla_wanted_pauses()
        Line = self.env["telecom.sla.line"]
        Line._pause(wanted, now)
        running = tickets.filtered(lambda ticket: ticket.id not in wanted)
        Line._resume(running.ids, now)

    def _sla_on_reply(self, message):
        """First response and periodic updates are met by a public reply of an
        agent; a reply of the subscriber ends a waiting stage."""
        tickets = self.filtered(lambda ticket: not ticket.closed)
        if not tickets or message.message_type not in ("comment", "email"):
            return
        if message.subtype_id.internal or not message.subtype_id:
            return
        now = fields.Datetime.now()
        Line = self.env["telecom.sla.line"]
        author_users = message.author_id.with_context(active_test=False).user_ids
        if author_users and not all(author_users.mapped("share")):
            first = tickets.filtered(lambda t: not t.telecom_first_response_date)
            if first:
                # sudo: kept by the engine; the agent may only have read access
                first.sudo().with_context(telecom_sla_skip=True).write(
                    {"telecom_first_response_date": now}
                )
                Line._stop(first.ids, now, kinds=["first_response"])
            Line._restart_updates(tickets.ids, now)
        else:
            tickets._sla_resume_on_customer_reply()
        Line._sync_ticket_summary(tickets.ids)

    def _sla_resume_on_customer_reply(self):
        waiting = self.filtered(
            lambda t: (
                t.stage_id in t.sla_policy_id.pause_stage_ids
                and t.sla_policy_id.resume_stage_id
            )
        )
        for stage, tickets in waiting.grouped(
            lambda t: t.sla_policy_id.resume_stage_id
        ).items():
            # sudo: the subscriber's reply (portal or mail gateway) moves the
            # ticket out of its waiting stage; subscribers cannot edit tickets
            tickets.sudo().write({"stage_id": stage.id})

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        self._sla_on_reply(message)
        return result

    # ------------------------------------------------------------------
    # subscriber timeline and business events
    # ------------------------------------------------------------------
    def _telecom_emit(self, event_type):
        """Business event and timeline row for the tickets of subscribers."""
        tickets = self.filtered(
            lambda t: t.partner_id.commercial_partner_id.telecom_is_subscriber
        )
        if not tickets:
            return
        self.env["telecom.event"]._emit(
            event_type,
            [ticket._telecom_prepare_event_vals(event_type) for ticket in tickets],
        )
        # sudo: the timeline row follows the ticket the user may create or close;
        # helpdesk users outside the telecom roles have no timeline rights
        self.env["telecom.interaction"].sudo().create(
            [ticket._telecom_prepare_interaction_vals(event_type) for ticket in tickets]
        )

    def _telecom_prepare_event_vals(self, event_type):
        self.ensure_one()
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "service_id": self.telecom_service_id.id,
            "res_model": self._name,
            "res_id": self.id,
            "summary": self.display_name,
            "company_id": self.company_id.id,
            "payload": {
                "number": self.number,
                "priority": self.priority,
                "team": self.team_id.name,
                "region_id": self.telecom_region_id.id,
                "sla_status": self.sla_status,
                "incident_id": self.incident_id.id,
            },
        }

    def _telecom_prepare_interaction_vals(self, event_type):
        self.ensure_one()
        closing = event_type == "ticket.closed"
        if closing:
            summary = self.env._(
                "Ticket %(number)s closed: %(name)s", number=self.number, name=self.name
            )
        else:
            summary = self.env._(
                "Ticket %(number)s opened: %(name)s", number=self.number, name=self.name
            )
        return {
            "partner_id": self.partner_id.commercial_partner_id.id,
            "service_id": self.telecom_service_id.id,
            "channel": "system"
            if closing
            else (self.channel_id.telecom_channel or "system"),
            "direction": "internal" if closing else "inbound",
            "summary": summary,
            "outcome": "resolved" if closing else "follow_up",
            "res_model": self._name,
            "res_id": self.id,
            "company_id": self.company_id.id,
        }

    # ------------------------------------------------------------------
    # explanation
    # ------------------------------------------------------------------
    def _sla_explain(self):
        """HTML: why these deadlines (policy, calendar, holidays, pauses)."""
        self.ensure_one()
        if not self.sla_policy_id:
            return Markup("<p>%s</p>") % self.env._(
                "No SLA policy applies to this ticket."
            )
        parts = [self._sla_explain_policy(), self._sla_explain_calendar()]
        for line in self.sla_line_ids.filtered(lambda sla: sla.status != "cancelled"):
            parts.append(self._sla_explain_line(line))
        return Markup("").join(parts)

    def _sla_explain_policy(self):
        policy = self.sla_policy_id
        Policy = self.env["telecom.sla.policy"]
        values = Policy._prepare_match_values(self)
        candidates = Policy.search(
            [
                ("company_id", "=", self.company_id.id),
                ("sequence", "<=", policy.sequence),
                ("is_fallback", "=", False),
                ("id", "!=", policy.id),
            ]
        )
        skipped = [
            self.env._(
                "%(policy)s (precedence %(sequence)s) did not match: %(conditions)s",
                policy=candidate.name,
                sequence=candidate.sequence,
                conditions=", ".join(
                    self._sla_condition_label(name)
                    for name in candidate._failed_conditions(values)
                ),
            )
            for candidate in candidates
            if candidate._failed_conditions(values)
        ]
        if policy.is_fallback:
            reason = self.env._("no other policy matched, the fallback policy applies")
        else:
            reason = self.env._(
                "precedence %(sequence)s, conditions met: %(conditions)s",
                sequence=policy.sequence,
                conditions=", ".join(self._sla_policy_conditions(policy))
                or self.env._("none (matches every ticket)"),
            )
        items = Markup("").join(Markup("<li>%s</li>") % text for text in skipped)
        return Markup("<h5>%s</h5><p>%s</p>%s") % (
            self.env._("Policy: %(policy)s", policy=policy.name),
            reason,
            Markup("<ul>%s</ul>") % items if skipped else "",
        )

    def _sla_condition_label(self, name):
        labels = {
            "priority": self.env._("priority"),
            "segment": self.env._("segment"),
            "category": self.env._("category"),
            "channel": self.env._("channel"),
            "team": self.env._("team"),
        }
        return labels.get(name, name)

    def _sla_policy_conditions(self, policy):
        conditions = []
        if policy.priority_ids:
            conditions.append(
                self.env._(
                    "priority in %(values)s",
                    values=", ".join(policy.priority_ids.mapped("name")),
                )
            )
        if policy.segment:
            segments = dict(policy._fields["segment"]._description_selection(self.env))
            conditions.append(
                self.env._("segment %(value)s", value=segments[policy.segment])
            )
        if policy.category_ids:
            conditions.append(
                self.env._(
                    "category in %(values)s",
                    values=", ".join(policy.category_ids.mapped("display_name")),
                )
            )
        if policy.channel_ids:
            conditions.append(
                self.env._(
                    "channel in %(values)s",
                    values=", ".join(policy.channel_ids.mapped("display_name")),
                )
            )
        if policy.team_ids:
            conditions.append(
                self.env._(
                    "team in %(values)s",
                    values=", ".join(policy.team_ids.mapped("display_name")),
                )
            )
        return conditions

    def _sla_explain_calendar(self):
        policy = self.sla_policy_id
        calendar = policy._get_calendar(self.team_id)
        line = self.sla_line_ids[:1]
        region = line.calendar_region_id
        if calendar.telecom_always_on:
            hours = self.env._("round the clock (24/7), no holidays")
        else:
            hours = self.env._(
                "%(calendar)s, time zone %(tz)s",
                calendar=calendar.name,
                tz=region.tz or calendar.tz or "UTC",
            )
        text = self.env._("Working time: %(hours)s.", hours=hours)
        if region:
            text += " " + self.env._(
                "Time zone and regional holidays of the zone %(zone)s.",
                zone=region.display_name,
            )
        holidays = self._sla_holidays_in_window(calendar, region)
        holiday_items = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(name)s: %(start)s - %(end)s",
                name=leave.name or "-",
                start=self._sla_local_time(leave.date_from),
                end=self._sla_local_time(leave.date_to),
            )
            for leave in holidays
        )
        holiday_block = (
            Markup("<p>%s</p><ul>%s</ul>")
            % (self.env._("Holidays inside the SLA window:"), holiday_items)
            if holidays
            else Markup("<p>%s</p>") % self.env._("No holiday inside the SLA window.")
        )
        return Markup("<p>%s</p>%s") % (text, holiday_block)

    def _sla_local_time(self, value):
        """``value`` (UTC) as the ticket's zone reads it, with the zone's tz."""
        if not value:
            return "-"
        tz = self.telecom_region_id.tz or self.env.user.tz or "UTC"
        local = format_datetime(self.env, value, tz=tz, dt_format="short")
        return f"{local} ({tz})"

    def _sla_holidays_in_window(self, calendar, region):
        lines = self.sla_line_ids.filtered("deadline")
        if calendar.telecom_always_on or not lines:
            return self.env["resource.calendar.leaves"]
        start = min(lines.mapped("start_date"))
        end = max(lines.mapped("deadline"))
        Interval = self.env["telecom.sla.calendar.interval"]
        domain = Interval._get_holiday_domain(
            calendar, region, utc.localize(start), utc.localize(end)
        )
        return self.env["resource.calendar.leaves"].search(domain, order="date_from")

    def _sla_explain_line(self, line):
        kinds = dict(line._fields["kind"]._description_selection(self.env))
        statuses = dict(line._fields["status"]._description_selection(self.env))
        events = self.sla_event_ids.filtered(
            lambda e, line=line: (
                e.line_id == line and e.event_type in ("paused", "resumed", "reopened")
            )
        ).sorted("date")
        pause_items = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(date)s %(event)s %(detail)s",
                date=self._sla_local_time(event.date),
                event=dict(
                    event._fields["event_type"]._description_selection(self.env)
                )[event.event_type],
                detail=self.env._(
                    "(%(hours)s working hours not counted)",
                    hours=round(event.work_seconds / 3600, 2),
                )
                if event.event_type == "resumed"
                else (event.reason or ""),
            )
            for event in events
        )
        summary = self.env._(
            "%(kind)s: %(hours)s working hours from %(start)s; paused %(paused)s "
            "working hours; deadline %(deadline)s; consumed %(consumed)s h "
            "(%(percent)s %%); status %(status)s.",
            kind=kinds[line.kind],
            hours=line.target_hours,
            start=self._sla_local_time(line.start_date),
            paused=round(line.paused_hours, 2),
            deadline=self._sla_local_time(line.deadline),
            consumed=round(line.consumed_hours, 2),
            percent=round(line.consumed_percent),
            status=statuses[line.status],
        )
        return Markup("<p>%s</p>%s") % (
            summary,
            Markup("<ul>%s</ul>") % pause_items if pause_items else "",
        )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_sla_explain(self):
        """Open the explanation of the deadlines in a dialog."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("How the SLA deadlines were computed"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "telecom_helpdesk_sla.helpdesk_ticket_view_form_sla_explain"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
        }

    def action_telecom_link_incident(self):
        """Open the wizard linking the selected tickets to an incident."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Link to a Mass Incident"),
            "res_model": "telecom.incident.link",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids},
        }
