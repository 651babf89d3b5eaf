from pytz import utc

from odoo import models
from odoo.tools import format_datetime

EXPLANATION_TEMPLATE = "telecom_helpdesk_sla.helpdesk_ticket_sla_explanation"


class HelpdeskTicket(models.Model):
    """Why these deadlines: the policy chosen, the working calendar, the
    holidays and the pauses, rendered by the QWeb template
    ``helpdesk_ticket_sla_explanation`` from the values prepared here."""

    _inherit = "helpdesk.ticket"

    def _compute_sla_explanation(self):
        for ticket in self:
            ticket.sla_explanation = ticket._sla_explain()

    def _sla_explain(self):
        """HTML: why these deadlines (policy, calendar, holidays, pauses)."""
        self.ensure_one()
        return self.env["ir.qweb"]._render(
            EXPLANATION_TEMPLATE, self._sla_prepare_explanation_values()
        )

    def _sla_prepare_explanation_values(self):
        """The values of the explanation template (hook)."""
        self.ensure_one()
        if not self.sla_policy_id:
            return {"ticket": self, "policy": False}
        return {
            "ticket": self,
            "policy": self.sla_policy_id,
            **self._sla_explain_policy(),
            **self._sla_explain_calendar(),
            "lines": [
                self._sla_explain_line(line)
                for line in self.sla_line_ids.filtered(
                    lambda sla: sla.status != "cancelled"
                )
            ],
        }

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
        skipped = []
        for candidate in candidates:
            failed = candidate._failed_conditions(values)
            if failed:
                skipped.append(
                    self.env._(
                        "%(policy)s (precedence %(sequence)s) did not match: "
                        "%(conditions)s",
                        policy=candidate.name,
                        sequence=candidate.sequence,
                        conditions=", ".join(
                            self._sla_condition_label(name) for name in failed
                        ),
                    )
                )
        if policy.is_fallback:
            reason = self.env._("no other policy matched, the fallback policy applies")
        else:
            reason = self.env._(
                "precedence %(sequence)s, conditions met: %(conditions)s",
                sequence=policy.sequence,
                conditions=", ".join(self._sla_policy_conditions(policy))
                or self.env._("none (matches every ticket)"),
            )
        return {
            "policy_title": self.env._("Policy: %(policy)s", policy=policy.name),
            "policy_reason": reason,
            "skipped_policies": skipped,
        }

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
        region = self.sla_line_ids[:1].calendar_region_id
        if calendar.telecom_always_on:
            hours = self.env._("round the clock (24/7), no holidays")
        else:
            hours = self.env._(
                "%(calendar)s, time zone %(tz)s",
                calendar=calendar.name,
                tz=region.tz or calendar.tz or "UTC",
            )
        working_time = self.env._("Working time: %(hours)s.", hours=hours)
        if region:
            working_time += " " + self.env._(
                "Time zone and regional holidays of the zone %(zone)s.",
                zone=region.display_name,
            )
        return {
            "working_time": working_time,
            "holidays": [
                {
                    "name": leave.name or "-",
                    "start": self._sla_local_time(leave.date_from),
                    "end": self._sla_local_time(leave.date_to),
                }
                for leave in self._sla_holidays_in_window(calendar, region)
            ],
        }

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
        event_types = dict(
            self.env["telecom.sla.event"]
            ._fields["event_type"]
            ._description_selection(self.env)
        )
        events = self.sla_event_ids.filtered(
            lambda e: (
                e.line_id == line and e.event_type in ("paused", "resumed", "reopened")
            )
        ).sorted("date")
        pauses = []
        for event in events:
            if event.event_type == "resumed":
                detail = self.env._(
                    "(%(hours)s working hours not counted)",
                    hours=round(event.work_seconds / 3600, 2),
                )
            else:
                detail = event.reason or ""
            pauses.append(
                {
                    "date": self._sla_local_time(event.date),
                    "event": event_types[event.event_type],
                    "detail": detail,
                }
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
        return {"line": line, "summary": summary, "pauses": pauses}
