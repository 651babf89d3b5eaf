from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .sla_selections import ESCALATION_LEVELS, SEGMENTS, TARGET_KINDS


class TelecomEscalationRule(models.Model):
    """One cell of the escalation matrix: when (a share of a target consumed, a
    breach, a priority) and what (reassign, raise priority, notify, follow).

    A rule fires at most once per ticket: its firing is recorded under a unique
    (ticket, rule) key by an ``INSERT ... ON CONFLICT DO NOTHING``, and only the
    worker whose insert succeeded runs the actions.
    """

    _name = "telecom.escalation.rule"
    _description = "Escalation Rule"
    _order = "level, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    level = fields.Selection(ESCALATION_LEVELS, required=True, default="2")
    # trigger
    trigger = fields.Selection(
        [
            ("percent", "Share of a target consumed"),
            ("breach", "Target breached"),
            ("priority", "Ticket priority"),
        ],
        required=True,
        default="percent",
    )
    trigger_kind = fields.Selection(TARGET_KINDS, string="Target", default="resolution")
    trigger_percent = fields.Float(string="Consumed (%)", default=75.0)
    # filters
    priority_ids = fields.Many2many(
        "telecom.ticket.priority",
        string="Priorities",
        help="Tickets of these priorities only (for a priority trigger: the "
        "priorities that fire it). Empty: any priority.",
    )
    team_ids = fields.Many2many(
        "helpdesk.ticket.team", string="Teams", help="Empty: any team."
    )
    segment = fields.Selection(SEGMENTS, help="Empty: any segment.")
    # actions
    action_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Reassign to Team",
        check_company=True,
    )
    action_user_id = fields.Many2one("res.users", string="Reassign to User")
    action_raise_priority = fields.Boolean(
        string="Raise Priority", help="One level up, P1 stays P1."
    )
    notify_assignee = fields.Boolean(string="Notify the Assignee", default=True)
    notify_team_leader = fields.Boolean(string="Notify the Team Leader", default=True)
    notify_user_ids = fields.Many2many(
        "res.users", string="Notify Users", domain=[("share", "=", False)]
    )
    notify_email = fields.Boolean(string="By Email")
    notify_sms = fields.Boolean(string="By SMS")
    notify_activity = fields.Boolean(string="By Activity", default=True)
    follower_partner_ids = fields.Many2many("res.partner", string="Add Followers")
    firing_count = fields.Integer(compute="_compute_firing_count")

    @api.constrains("trigger", "trigger_kind", "trigger_percent", "priority_ids")
    def _check_trigger(self):
        for rule in self:
            if rule.trigger in ("percent", "breach") and not rule.trigger_kind:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: choose the target it watches.", rule=rule.name
                    )
                )
            if rule.trigger == "percent" and not 0 < rule.trigger_percent <= 100:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: the consumed share must be between 0 and 100.",
                        rule=rule.name,
                    )
                )
            if rule.trigger == "priority" and not rule.priority_ids:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: choose the priorities that fire it.",
                        rule=rule.name,
                    )
                )

    def _compute_firing_count(self):
        counts = dict(
            self.env["telecom.escalation.firing"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.firing_count = counts.get(rule, 0)

    # ------------------------------------------------------------------
    # firing
    # ------------------------------------------------------------------
    def _get_ticket_domain(self):
        """Open tickets this rule may escalate (hook)."""
        self.ensure_one()
        domain = [("closed", "=", False), ("company_id", "=", self.company_id.id)]
        if self.team_ids:
            domain.append(("team_id", "in", self.team_ids.ids))
        if self.priority_ids:
            domain.append(("priority", "in", self.priority_ids.mapped("code")))
        if self.segment:
            domain.append(("telecom_segment", "=", self.segment))
        return domain

    def _candidate_sql(self, now):
        """SQL selecting the ids of tickets that reached this rule's trigger."""
        self.ensure_one()
        tickets = (
            self.env["helpdesk.ticket"]
            .sudo()
            .with_context(active_test=False)
            ._search(self._get_ticket_domain())
        )
        if self.trigger == "priority":
            return tickets.subselect()
        if self.trigger == "breach":
            return SQL(
                """SELECT l.ticket_id FROM telecom_sla_line l
                    WHERE l.kind = %s AND l.breached
                      AND l.status IN ('running', 'paused')
                      AND l.ticket_id IN %s""",
                self.trigger_kind,
                tickets.subselect(),
            )
        # W(now) once per calendar and zone of the running lines, not per line
        Interval = self.env["telecom.sla.calendar.interval"]
        return SQL(
            """WITH n AS MATERIALIZED (
                   SELECT k.c, k.r, %(now_work)s AS w
                     FROM (SELECT calendar_id AS c, COALESCE(region_id, 0) AS r
                             FROM telecom_sla_calendar_interval
                         GROUP BY 1, 2) k
               )
               SELECT l.ticket_id
                 FROM n
                 JOIN telecom_sla_line l
                   ON l.calendar_id = n.c
                  AND COALESCE(l.calendar_region_id, 0) = n.r
                WHERE l.kind = %(kind)s AND l.status = 'running'
                  AND l.ticket_id IN %(tickets)s
                  AND l.work_origin + l.target_hours * 36 * %(percent)s <= n.w""",
            kind=self.trigger_kind,
            tickets=tickets.subselect(),
            percent=self.trigger_percent,
            now_work=Interval._sql_work_at(
                SQL("k.c"), SQL("k.r"), SQL("%s::timestamp", now)
            ),
        )

    def _fire(self, now):
        """Record the firings due for this rule; run the actions on exactly the
        tickets whose firing this call inserted."""
        self.ensure_one()
        rows = self.env["telecom.sla.line"]._claim(
            SQL(
                """INSERT INTO telecom_escalation_firing
                       (ticket_id, rule_id, level, date, company_id)
                   SELECT c.ticket_id, %(rule)s, %(level)s, %(now)s, t.company_id
                     FROM (%(candidates)s) AS c(ticket_id)
                     JOIN helpdesk_ticket t ON t.id = c.ticket_id
                    WHERE NOT EXISTS (
                          SELECT 1 FROM telecom_escalation_firing f
                           WHERE f.ticket_id = c.ticket_id AND f.rule_id = %(rule)s)
              ON CONFLICT (ticket_id, rule_id) DO NOTHING
                RETURNING ticket_id""",
                rule=self.id,
                level=self.level,
                now=now,
                candidates=self._candidate_sql(now),
            )
        )
        ticket_ids = [row[0] for row in rows]
        self.env["telecom.escalation.firing"].invalidate_model()
        if ticket_ids:
            tickets = self.env["helpdesk.ticket"].browse(ticket_ids)
            self._apply_actions(tickets)
        return ticket_ids

    def _apply_actions(self, tickets):
        """Run the rule's actions on ``tickets`` (set-based writes)."""
        self.ensure_one()
        self._raise_escalation_level(tickets)
        vals = self._prepare_reassign_vals()
        if vals:
            tickets.write(vals)
        if self.action_raise_priority:
            for priority, group in tickets.grouped("priority").items():
                raised = str(min(int(priority or "0") + 1, 3))
                if raised != priority:
                    group.write({"priority": raised})
        if self.follower_partner_ids:
            tickets.message_subscribe(partner_ids=self.follower_partner_ids.ids)
        self._notify(tickets)

    def _prepare_reassign_vals(self):
        vals = {}
        if self.action_team_id:
            vals["team_id"] = self.action_team_id.id
        if self.action_user_id:
            vals["user_id"] = self.action_user_id.id
        return vals

    def _raise_escalation_level(self, tickets):
        """The rule's level on the tickets below it: an ORM write (tracked,
        dated, seen by other modules) as the user running the scan."""
        level = int(self.level)
        tickets.flush_recordset(["telecom_escalation_level"])
        self.env.cr.execute(
            """SELECT id FROM helpdesk_ticket
                WHERE id = ANY(%s) AND COALESCE(telecom_escalation_level, 0) < %s""",
            (tickets.ids, level),
        )
        raised = tickets.browse([row[0] for row in self.env.cr.fetchall()])
        raised._telecom_engine_write(
            "telecom_escalation_level", dict.fromkeys(raised.ids, level)
        )

    def _recipients(self, ticket):
        users = self.notify_user_ids
        if self.notify_assignee:
            users |= ticket.user_id
        if self.notify_team_leader:
            users |= ticket.team_id.user_id
        return users.filtered("active")

    def _notify(self, tickets):
        """Activities, emails and SMS to the recipients, created in batches."""
        if not (self.notify_activity or self.notify_email or self.notify_sms):
            return
        if not self.notify_user_ids.filtered("active"):
            # only the tickets' own agents: skip the tickets without any
            if not (self.notify_assignee or self.notify_team_leader):
                return
            if self.notify_assignee and self.notify_team_leader:
                reached = self.env["telecom.sla.line"]._tickets_with_agents(tickets.ids)
                tickets = tickets.filtered(lambda ticket: ticket.id in reached)
        activities, mails, sms = [], [], []
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        activity_type = self.env.ref(
            "telecom_helpdesk_sla.mail_activity_type_telecom_escalation"
        )
        for ticket in tickets:
            subject = self.env._(
                "Escalation %(level)s: %(ticket)s (%(rule)s)",
                level=self.level,
                ticket=ticket.display_name,
                rule=self.name,
            )
            for user in self._recipients(ticket):
                if self.notify_activity:
                    activities.append(
                        {
                            "res_model_id": model_id,
                            "res_id": ticket.id,
                            "activity_type_id": activity_type.id,
                            "user_id": user.id,
                            "summary": subject,
                            "date_deadline": fields.Date.context_today(self),
                        }
                    )
                if self.notify_email and user.email:
                    mails.append(self._prepare_mail_vals(ticket, user, subject))
                if self.notify_sms and user.partner_id.phone_sanitized:
                    sms.append(
                        {
                            "number": user.partner_id.phone_sanitized,
                            "partner_id": user.partner_id.id,
                            "body": subject,
                        }
                    )
        # sudo: escalations are sent by the system on behalf of the rule
        if activities:
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(activities)
        if mails:
            self.env["mail.mail"].sudo().create(mails)
        if sms:
            self.env["sms.sms"].sudo().create(sms)

    def _prepare_mail_vals(self, ticket, user, subject):
        body = Markup("<p>%s</p><p>%s</p>") % (
            subject,
            self.env._(
                "SLA deadline: %(deadline)s, status: %(status)s.",
                deadline=ticket._sla_local_time(ticket.sla_deadline),
                status=dict(
                    ticket._fields["sla_status"]._description_selection(self.env)
                ).get(ticket.sla_status, "-"),
            ),
        )
        return {
            "subject": subject,
            "body_html": body,
            "email_to": user.email_formatted,
            "model": "helpdesk.ticket",
            "res_id": ticket.id,
            "auto_delete": True,
        }

    @api.model
    def _cron_escalate(self, now=None, summary_ids=None):
        """Fire every active rule (part of the SLA scan).

        The SLA status of the tickets whose priority or team a rule changed is
        refreshed once after all rules, or added to ``summary_ids`` (a set) for
        the caller to refresh with its own tickets.
        """
        now = now or fields.Datetime.now()
        Ticket = self.env["helpdesk.ticket"]
        Ticket._telecom_deferred_summary()
        fired = 0
        for rule in self.search([]).with_context(telecom_sla_defer_summary=True):
            fired += len(rule._fire(now))
        deferred = Ticket._telecom_deferred_summary()
        if summary_ids is None:
            self.env["telecom.sla.line"]._sync_ticket_summary(deferred)
        else:
            summary_ids |= deferred
        return fired

    def action_view_firings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_helpdesk_sla.telecom_escalation_firing_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        return action
