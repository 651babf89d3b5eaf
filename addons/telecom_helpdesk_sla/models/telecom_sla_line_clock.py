from odoo import api, models
from odoo.tools import SQL


class TelecomSlaLine(models.Model):
    """The engine's clocks: pause, resume, stop, restart, reopen. Every
    method is set-based and journals its changes."""

    _inherit = "telecom.sla.line"

    def _pause(self, reasons, now):
        """Stop the running clocks: ``reasons`` maps ticket id -> pause reason."""
        if not reasons:
            return
        self.env.cr.execute(
            """UPDATE telecom_sla_line l
                  SET status = 'paused', paused_since = %s, pause_reason = x.reason
                 FROM unnest(%s::int[], %s::varchar[]) AS x(ticket_id, reason)
                WHERE l.ticket_id = x.ticket_id AND l.status = 'running'
            RETURNING l.id, l.ticket_id, l.kind, x.reason""",
            (now, list(reasons), list(reasons.values())),
        )
        rows = self.env.cr.fetchall()
        labels = dict(self._fields["pause_reason"]._description_selection(self.env))
        self._log_events(
            [(t, line, k, "paused", labels[reason]) for line, t, k, reason in rows],
            now,
        )
        self._invalidate_engine_cache()

    @api.model
    def _resume(self, ticket_ids, now):
        """Restart the paused clocks; the pause is added to their paused time
        and journaled (with the incident, for a pause due to one)."""
        if not ticket_ids:
            return []
        self._ensure_line_keys(
            SQL("ticket_id = ANY(%s) AND status = 'paused'", list(ticket_ids))
        )
        Interval = self.env["telecom.sla.calendar.interval"]
        key = (SQL("p.calendar_id"), SQL("p.calendar_region_id"))
        self.env.cr.execute(
            SQL(
                """WITH p AS (
                       SELECT p.id, p.pause_reason, t.incident_id,
                              GREATEST(COALESCE(%(now_w)s - %(since_w)s, 0), 0) AS spent
                         FROM telecom_sla_line p
                         JOIN helpdesk_ticket t ON t.id = p.ticket_id
                        WHERE p.ticket_id = ANY(%(ids)s) AND p.status = 'paused'
                   )
                   UPDATE telecom_sla_line l
                      SET status = 'running', paused_since = NULL,
                          pause_reason = NULL,
                          paused_work_seconds = l.paused_work_seconds + p.spent
                     FROM p WHERE l.id = p.id
                RETURNING l.id, l.ticket_id, l.kind, p.spent, p.pause_reason,
                          p.incident_id""",
                ids=list(ticket_ids),
                now_w=Interval._sql_work_at(*key, SQL("%s::timestamp", now)),
                since_w=Interval._sql_work_at(*key, SQL("p.paused_since")),
            )
        )
        rows = self.env.cr.fetchall()
        self._log_events(
            [
                (
                    ticket_id,
                    line_id,
                    kind,
                    "resumed",
                    False,
                    spent,
                    incident_id if reason == "incident" else False,
                )
                for line_id, ticket_id, kind, spent, reason, incident_id in rows
            ],
            now,
        )
        self._recompute([row[0] for row in rows], now)
        return rows

    @api.model
    def _stop(self, ticket_ids, now, kinds=None):
        """The targets are reached (``kinds``, all when None)."""
        if not ticket_ids:
            return
        kind_filter = SQL("AND kind = ANY(%s)", list(kinds)) if kinds else SQL()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT ticket_id FROM telecom_sla_line WHERE "
                "ticket_id = ANY(%s) AND status = 'paused' %s",
                list(ticket_ids),
                kind_filter,
            )
        )
        paused = [row[0] for row in self.env.cr.fetchall()]
        if paused:
            self._resume(paused, now)
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_sla_line
                      SET status = CASE WHEN breached THEN 'breached' ELSE 'met' END,
                          done_date = %s, at_risk = false
                    WHERE ticket_id = ANY(%s) AND status = 'running' %s
                RETURNING id, ticket_id, kind""",
                now,
                list(ticket_ids),
                kind_filter,
            )
        )
        rows = self.env.cr.fetchall()
        self._log_events([(t, line, k, "met") for line, t, k in rows], now)
        self._invalidate_engine_cache()

    @api.model
    def _restart_updates(self, ticket_ids, now):
        """A public reply meets the update target and starts its next period."""
        if not ticket_ids:
            return
        self.env.cr.execute(
            """UPDATE telecom_sla_line
                  SET start_date = %(now)s, paused_work_seconds = 0,
                      paused_since = CASE WHEN status = 'paused' THEN %(now)s END,
                      warned = false, at_risk = false, breached = false,
                      done_date = NULL
                WHERE ticket_id = ANY(%(ids)s) AND kind = 'update'
                  AND status IN ('running', 'paused')
            RETURNING id, ticket_id, kind""",
            {"now": now, "ids": list(ticket_ids)},
        )
        rows = self.env.cr.fetchall()
        events = []
        for line_id, ticket_id, kind in rows:
            events.append((ticket_id, line_id, kind, "met"))
            events.append((ticket_id, line_id, kind, "started"))
        self._log_events(events, now)
        self._recompute([row[0] for row in rows], now)

    @api.model
    def _reopen(self, ticket_ids, now):
        """A closed ticket is open again: resolution resumes with the time it
        had consumed (the closed period is not counted), updates restart."""
        if not ticket_ids:
            return
        self._ensure_line_keys(SQL("ticket_id = ANY(%s)", list(ticket_ids)))
        Interval = self.env["telecom.sla.calendar.interval"]
        key = (SQL("l.calendar_id"), SQL("l.calendar_region_id"))
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_sla_line l
                      SET status = 'running',
                          paused_work_seconds = CASE
                              WHEN l.kind = 'update' THEN 0
                              ELSE l.paused_work_seconds
                                   + GREATEST(COALESCE(%(now_w)s - %(done_w)s, 0), 0)
                              END,
                          start_date = CASE WHEN l.kind = 'update' THEN %(now)s
                                            ELSE l.start_date END,
                          breached = l.breached AND l.kind != 'update',
                          done_date = NULL
                    WHERE l.ticket_id = ANY(%(ids)s)
                      AND l.kind IN ('resolution', 'update')
                      AND l.status IN ('met', 'breached')
                RETURNING l.id, l.ticket_id, l.kind""",
                ids=list(ticket_ids),
                now=now,
                now_w=Interval._sql_work_at(*key, SQL("%s::timestamp", now)),
                done_w=Interval._sql_work_at(*key, SQL("l.done_date")),
            )
        )
        rows = self.env.cr.fetchall()
        self._log_events([(t, line, k, "reopened") for line, t, k in rows], now)
        self._recompute([row[0] for row in rows], now)
