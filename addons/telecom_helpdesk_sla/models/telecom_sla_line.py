import logging

from psycopg2 import errors

from odoo import api, fields, models
from odoo.tools import SQL

from .sla_selections import LINE_STATUSES, PAUSE_REASONS, TARGET_KINDS

_logger = logging.getLogger(__name__)


class TelecomSlaLine(models.Model):
    """One SLA target of one ticket: its clock, deadline and status.

    Lines are written by the SLA engine only, in set-based SQL (one statement for
    any number of tickets): the methods of this model take ticket ids and an
    instant ``now``, change the lines, journal each change as a
    ``telecom.sla.event`` and refresh the SLA summary of the tickets.

    Clock arithmetic uses working-time coordinates (see
    ``telecom.sla.calendar.interval``): ``work_origin`` is W(start) plus the
    working time spent paused, so that ``deadline = W⁻¹(work_origin + target)``
    and ``consumed = W(now) - work_origin``.
    """

    _name = "telecom.sla.line"
    _description = "SLA Target of a Ticket"
    _order = "ticket_id, deadline, id"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, ondelete="cascade"
    )
    kind = fields.Selection(TARGET_KINDS, required=True, readonly=True)
    target_id = fields.Many2one(
        "telecom.sla.target", readonly=True, ondelete="set null"
    )
    policy_id = fields.Many2one(
        "telecom.sla.policy", readonly=True, index=True, ondelete="set null"
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    calendar_id = fields.Many2one(
        "resource.calendar", string="Working Calendar", readonly=True
    )
    calendar_region_id = fields.Many2one(
        "telecom.region",
        string="Time Zone and Holidays of",
        readonly=True,
        help="Zone whose time zone and regional holidays apply; empty: the "
        "calendar's own time zone and holidays.",
    )
    target_hours = fields.Float(readonly=True, help="Working hours allowed.")
    warning_percent = fields.Float(string="Warning at (%)", readonly=True)
    start_date = fields.Datetime(string="Clock Started", readonly=True)
    deadline = fields.Datetime(readonly=True)
    warning_date = fields.Datetime(string="At Risk From", readonly=True)
    work_origin = fields.Float(readonly=True)
    paused_since = fields.Datetime(readonly=True)
    pause_reason = fields.Selection(PAUSE_REASONS, readonly=True)
    paused_work_seconds = fields.Float(readonly=True)
    done_date = fields.Datetime(string="Reached On", readonly=True)
    status = fields.Selection(LINE_STATUSES, required=True, readonly=True)
    at_risk = fields.Boolean(readonly=True)
    warned = fields.Boolean(readonly=True)
    breached = fields.Boolean(readonly=True)
    breach_count = fields.Integer(
        readonly=True,
        help="Breaches of this target (an update target restarts at each reply).",
    )
    needs_recompute = fields.Boolean(readonly=True)
    consumed_hours = fields.Float(compute="_compute_progress")
    remaining_hours = fields.Float(compute="_compute_progress")
    consumed_percent = fields.Float(compute="_compute_progress")
    paused_hours = fields.Float(compute="_compute_progress")

    _sql_constraints = [
        (
            "ticket_kind_uniq",
            "unique(ticket_id, kind)",
            "A ticket has one line per SLA target kind.",
        ),
    ]

    def init(self):
        cr = self.env.cr
        cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_sla_line_warning_scan_idx
                   ON telecom_sla_line (warning_date)
                WHERE status = 'running' AND NOT warned"""
        )
        cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_sla_line_breach_scan_idx
                   ON telecom_sla_line (deadline)
                WHERE status = 'running' AND NOT breached"""
        )
        cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_sla_line_recompute_idx
                   ON telecom_sla_line (id) WHERE needs_recompute"""
        )

    def _compute_progress(self):
        """Consumed and remaining working time, in one query for all lines."""
        values = {}
        if self.ids:
            self.flush_recordset()
            Interval = self.env["telecom.sla.calendar.interval"]
            Interval._ensure_keys(
                {(line.calendar_id.id, line.calendar_region_id.id) for line in self}
            )
            moment = SQL(
                """CASE WHEN l.status = 'running' THEN %s::timestamp
                        WHEN l.status = 'paused' THEN l.paused_since
                        ELSE COALESCE(l.done_date, %s::timestamp) END""",
                fields.Datetime.now(),
                fields.Datetime.now(),
            )
            key = (SQL("l.calendar_id"), SQL("l.calendar_region_id"))
            self.env.cr.execute(
                SQL(
                    """SELECT l.id, %s - l.work_origin, l.paused_work_seconds
                         FROM telecom_sla_line l WHERE l.id = ANY(%s)""",
                    Interval._sql_work_at(*key, moment),
                    self.ids,
                )
            )
            values = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for line in self:
            consumed, paused = values.get(line.id, (0.0, 0.0))
            consumed_hours = max(consumed or 0.0, 0.0) / 3600
            line.consumed_hours = consumed_hours
            line.paused_hours = (paused or 0.0) / 3600
            line.remaining_hours = line.target_hours - consumed_hours
            line.consumed_percent = (
                100 * consumed_hours / line.target_hours if line.target_hours else 0.0
            )

    # ------------------------------------------------------------------
    # engine: every method is set-based and journals its changes
    # ------------------------------------------------------------------
    @api.model
    def _start(self, starts, now):
        """Start the clocks of the targets of each ticket's policy.

        ``starts``: tuples (ticket_id, policy_id, company_id, calendar_id,
        region_id or 0, start_date). Kinds a ticket already has are kept.
        """
        if not starts:
            return []
        self.env["telecom.sla.target"].flush_model()
        columns = list(zip(*starts, strict=True))
        self.env.cr.execute(
            """INSERT INTO telecom_sla_line (
                   ticket_id, kind, target_id, policy_id, company_id, calendar_id,
                   calendar_region_id, start_date, target_hours, warning_percent,
                   status, paused_work_seconds, breach_count, at_risk, warned,
                   breached, needs_recompute, work_origin,
                   create_uid, create_date, write_uid, write_date)
               SELECT x.ticket_id, tg.kind, tg.id, tg.policy_id, x.company_id,
                      x.calendar_id, NULLIF(x.region_id, 0), x.start_date, tg.hours,
                      tg.warning_percent, 'running', 0, 0, false, false, false, true,
                      0, %(uid)s, %(now)s, %(uid)s, %(now)s
                 FROM unnest(%(tickets)s::int[], %(policies)s::int[],
                             %(companies)s::int[], %(calendars)s::int[],
                             %(regions)s::int[], %(starts)s::timestamp[])
                      AS x(ticket_id, policy_id, company_id, calendar_id, region_id,
                           start_date)
                 JOIN telecom_sla_target tg
                   ON tg.policy_id = x.policy_id AND tg.active
          ON CONFLICT (ticket_id, kind) DO NOTHING
            RETURNING id, ticket_id, kind""",
            {
                "uid": self.env.uid,
                "now": now,
                "tickets": list(columns[0]),
                "policies": list(columns[1]),
                "companies": list(columns[2]),
                "calendars": list(columns[3]),
                "regions": list(columns[4]),
                "starts": list(columns[5]),
            },
        )
        rows = self.env.cr.fetchall()
        self._log_events([(t, line, k, "started") for line, t, k in rows], now)
        self._recompute([row[0] for row in rows], now)
        return rows

    @api.model
    def _retarget(self, retargets, now, reason):
        """Apply new policies to open tickets, keeping their clocks.

        ``retargets``: tuples (ticket_id, policy_id, calendar_id, region_id or 0).
        Targets of the new policy replace those of the same kind (cancelled ones
        come back); kinds the new policy lacks are cancelled.
        """
        if not retargets:
            return
        self.env["telecom.sla.target"].flush_model()
        columns = list(zip(*retargets, strict=True))
        params = {
            "tickets": list(columns[0]),
            "policies": list(columns[1]),
            "calendars": list(columns[2]),
            "regions": list(columns[3]),
        }
        self.env.cr.execute(
            """UPDATE telecom_sla_line l
                  SET target_id = tg.id, policy_id = tg.policy_id,
                      target_hours = tg.hours, warning_percent = tg.warning_percent,
                      calendar_id = x.calendar_id,
                      calendar_region_id = NULLIF(x.region_id, 0),
                      status = CASE WHEN l.status = 'cancelled' THEN 'running'
                                    ELSE l.status END
                 FROM unnest(%(tickets)s::int[], %(policies)s::int[],
                             %(calendars)s::int[], %(regions)s::int[])
                      AS x(ticket_id, policy_id, calendar_id, region_id)
                 JOIN telecom_sla_target tg
                   ON tg.policy_id = x.policy_id AND tg.active
                WHERE l.ticket_id = x.ticket_id AND l.kind = tg.kind
                  AND l.status IN ('running', 'paused', 'cancelled')
            RETURNING l.id, l.ticket_id, l.kind""",
            params,
        )
        rows = self.env.cr.fetchall()
        self.env.cr.execute(
            """UPDATE telecom_sla_line l SET status = 'cancelled', at_risk = false
                 FROM unnest(%(tickets)s::int[], %(policies)s::int[])
                      AS x(ticket_id, policy_id)
                WHERE l.ticket_id = x.ticket_id AND l.status IN ('running', 'paused')
                  AND NOT EXISTS (
                      SELECT 1 FROM telecom_sla_target tg
                       WHERE tg.policy_id = x.policy_id AND tg.kind = l.kind
                         AND tg.active)
            RETURNING l.id, l.ticket_id, l.kind""",
            params,
        )
        cancelled = self.env.cr.fetchall()
        self._log_events(
            [(t, line, k, "recomputed", reason) for line, t, k in rows]
            + [(t, line, k, "cancelled", reason) for line, t, k in cancelled],
            now,
        )
        self._recompute([row[0] for row in rows], now)

    @api.model
    def _recompute(self, line_ids, now):
        """Deadlines and warning dates of open lines: one statement."""
        if not line_ids:
            return
        self._ensure_line_keys(SQL("id = ANY(%s)", list(line_ids)))
        Interval = self.env["telecom.sla.calendar.interval"]
        key = (SQL("l.calendar_id"), SQL("l.calendar_region_id"))
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_sla_line l
                      SET work_origin = c.origin,
                          deadline = c.deadline,
                          warning_date = c.warning_date,
                          warned = l.warned AND c.warning_date <= %(now)s,
                          at_risk = l.warned AND c.warning_date <= %(now)s,
                          breached = l.breached AND c.deadline <= %(now)s,
                          needs_recompute = false
                     FROM (
                          SELECT o.id, o.origin,
                                 %(deadline)s AS deadline, %(warning)s AS warning_date
                            FROM (SELECT l.*, %(origin)s AS origin
                                    FROM telecom_sla_line l
                                   WHERE l.id = ANY(%(ids)s)
                                     AND l.status IN ('running', 'paused')) o
                          ) c
                    WHERE l.id = c.id""",
                now=now,
                ids=list(line_ids),
                origin=SQL(
                    "%s + l.paused_work_seconds",
                    Interval._sql_work_at(*key, SQL("l.start_date")),
                ),
                deadline=Interval._sql_time_at(
                    SQL("o.calendar_id"),
                    SQL("o.calendar_region_id"),
                    SQL("o.origin + o.target_hours * 3600"),
                ),
                warning=Interval._sql_time_at(
                    SQL("o.calendar_id"),
                    SQL("o.calendar_region_id"),
                    SQL("o.origin + o.target_hours * 36 * o.warning_percent"),
                ),
            )
        )
        self._invalidate_engine_cache()

    def _ensure_line_keys(self, condition):
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT calendar_id, COALESCE(calendar_region_id, 0)
                     FROM telecom_sla_line WHERE %s AND calendar_id IS NOT NULL""",
                condition,
            )
        )
        self.env["telecom.sla.calendar.interval"]._ensure_keys(
            set(self.env.cr.fetchall())
        )

    @api.model
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

    @api.model
    def _flag_for_recompute(self, condition):
        """Mark open lines for the recompute cron (after a calendar change)."""
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_sla_line SET needs_recompute = true
                    WHERE status IN ('running', 'paused') AND %s""",
                condition,
            )
        )
        if self.env.cr.rowcount:
            cron = self.env.ref(
                "telecom_helpdesk_sla.ir_cron_telecom_sla_recompute",
                raise_if_not_found=False,
            )
            if cron:
                cron._trigger()
        self._invalidate_engine_cache()

    # ------------------------------------------------------------------
    # scans
    # ------------------------------------------------------------------
    @api.model
    def _scan_warnings(self, now, limit):
        """Lines whose warning threshold has come: flag them once, journal it.

        The conditional UPDATE (``NOT warned``) on rows locked by this worker only
        (``SKIP LOCKED``) makes each warning fire exactly once, however many scans
        overlap.
        """
        return self._scan(now, limit, "warning_date", "warned", "warned")

    @api.model
    def _scan_breaches(self, now, limit):
        """Lines past their deadline: flag them breached once, journal it."""
        return self._scan(now, limit, "deadline", "breached", "breached")

    def _scan(self, now, limit, date_column, flag, event_type):
        date_column, flag = SQL.identifier(date_column), SQL.identifier(flag)
        extra = (
            SQL(", breach_count = l.breach_count + 1")
            if event_type == "breached"
            else SQL()
        )
        rows = self._claim(
            SQL(
                """WITH due AS (
                       SELECT id FROM telecom_sla_line
                        WHERE status = 'running' AND NOT %(flag)s
                          AND %(date)s <= %(now)s
                     ORDER BY %(date)s LIMIT %(limit)s
                          FOR UPDATE SKIP LOCKED
                   ), hit AS (
                       UPDATE telecom_sla_line l
                          SET %(flag)s = true, at_risk = true %(extra)s
                         FROM due WHERE l.id = due.id AND NOT l.%(flag)s
                     RETURNING l.id, l.ticket_id, l.kind, l.company_id
                   ), journal AS (
                       INSERT INTO telecom_sla_event
                              (ticket_id, line_id, kind, event_type, date, user_id,
                               company_id)
                       SELECT ticket_id, id, kind, %(event)s, %(now)s, %(uid)s,
                              company_id
                         FROM hit
                   )
                   SELECT id, ticket_id, kind FROM hit""",
                flag=flag,
                date=date_column,
                now=now,
                limit=limit,
                extra=extra,
                event=event_type,
                uid=self.env.uid,
            )
        )
        self._invalidate_engine_cache()
        return rows

    @api.model
    def _claim(self, query):
        """Run a statement that claims rows (flags them, inserts their unique
        firing) and return its rows.

        Odoo's transactions are REPEATABLE READ: when a concurrent worker
        claimed and committed the same rows after this transaction's snapshot,
        PostgreSQL refuses the update with a serialization failure. The rows are
        then the other worker's: this one claims nothing, and its transaction
        goes on (a savepoint isolates the failed statement).
        """
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(query, log_exceptions=False)
                return self.env.cr.fetchall()
        except errors.SerializationFailure:
            _logger.info("SLA scan: rows claimed by a concurrent worker, skipped")
            return []

    @api.model
    def _count_due(self, now):
        self.env.cr.execute(
            """SELECT (SELECT count(*) FROM telecom_sla_line
                        WHERE status = 'running' AND NOT warned
                          AND warning_date <= %(now)s)
                    + (SELECT count(*) FROM telecom_sla_line
                        WHERE status = 'running' AND NOT breached
                          AND deadline <= %(now)s)""",
            {"now": now},
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _cron_scan(self, limit=5000):
        """Every minute: at-risk and breach flags (exactly once each), reminders,
        escalations; in batches, with progress so the cron goes on."""
        now = fields.Datetime.now()
        warned = self._scan_warnings(now, limit)
        breached = self._scan_breaches(now, limit)
        self._remind(warned)
        self.env["telecom.escalation.rule"]._cron_escalate(now)
        self._sync_ticket_summary({row[1] for row in warned + breached})
        remaining = self._count_due(now)
        self.env["ir.cron"]._notify_progress(
            done=len(warned) + len(breached), remaining=remaining
        )
        return warned, breached

    @api.model
    def _cron_recompute(self, limit=20000):
        """Deadlines of lines flagged after a calendar, holiday or target change."""
        now = fields.Datetime.now()
        self.env.cr.execute(
            "SELECT id, ticket_id FROM telecom_sla_line WHERE needs_recompute "
            "ORDER BY id LIMIT %s",
            (limit,),
        )
        rows = self.env.cr.fetchall()
        self._recompute([row[0] for row in rows], now)
        self._sync_ticket_summary({row[1] for row in rows})
        self.env.cr.execute(
            "SELECT count(*) FROM telecom_sla_line WHERE needs_recompute"
        )
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=len(rows), remaining=remaining)
        return len(rows)

    @api.model
    def _remind(self, warned):
        """SLA targets are at risk: remind the assignee and the team leader of
        each ticket, once per target (the scan returns each warning once)."""
        if not warned:
            return
        lines = self.browse([row[0] for row in warned])
        activity_type = self.env.ref(
            "telecom_helpdesk_sla.mail_activity_type_telecom_sla_risk"
        )
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        vals_list = []
        for ticket, ticket_lines in lines.grouped("ticket_id").items():
            summary = self.env._(
                "SLA at risk: %(targets)s due %(deadline)s",
                targets=", ".join(kinds[line.kind] for line in ticket_lines),
                deadline=ticket._sla_local_time(min(ticket_lines.mapped("deadline"))),
            )
            for user in (ticket.user_id | ticket.team_id.user_id).filtered("active"):
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": ticket.id,
                        "activity_type_id": activity_type.id,
                        "user_id": user.id,
                        "summary": summary,
                        "date_deadline": fields.Date.to_date(
                            min(ticket_lines.mapped("deadline"))
                        ),
                    }
                )
        if vals_list:
            # sudo: the system schedules the reminder for the agents
            self.env["mail.activity"].sudo().with_context(
                mail_activity_quick_update=True
            ).create(vals_list)

    # ------------------------------------------------------------------
    # journal and ticket summary
    # ------------------------------------------------------------------
    @api.model
    def _log_events(self, events, now):
        """Journal events: tuples (ticket_id, line_id, kind, event_type[, reason
        [, work_seconds[, incident_id]]])."""
        if not events:
            return
        rows = [tuple(event) + (False,) * (7 - len(event)) for event in events]
        columns = list(zip(*rows, strict=True))
        self.env.cr.execute(
            """INSERT INTO telecom_sla_event
                   (ticket_id, line_id, kind, event_type, reason, work_seconds,
                    incident_id, date, user_id, company_id)
               SELECT x.ticket_id, x.line_id, x.kind, x.event_type,
                      NULLIF(x.reason, ''), x.work_seconds, NULLIF(x.incident_id, 0),
                      %s, %s, t.company_id
                 FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[],
                             %s::varchar[], %s::float8[], %s::int[])
                      AS x(ticket_id, line_id, kind, event_type, reason,
                           work_seconds, incident_id)
                 JOIN helpdesk_ticket t ON t.id = x.ticket_id""",
            (
                now,
                self.env.uid,
                list(columns[0]),
                list(columns[1]),
                list(columns[2]),
                list(columns[3]),
                [reason or "" for reason in columns[4]],
                [seconds or 0.0 for seconds in columns[5]],
                [incident or 0 for incident in columns[6]],
            ),
        )
        self._invalidate_engine_cache()

    @api.model
    def _sync_ticket_summary(self, ticket_ids):
        """Refresh the SLA status and next deadline stored on the tickets."""
        if not ticket_ids:
            return
        self.env.cr.execute(
            """UPDATE helpdesk_ticket t
                  SET sla_status = s.status, sla_deadline = s.deadline
                 FROM (
                      SELECT x.id,
                             CASE
                             WHEN bool_or(l.status IN ('running', 'paused')
                                          AND l.breached) THEN 'breached'
                             WHEN bool_or(l.status IN ('running', 'paused')
                                          AND l.at_risk) THEN 'at_risk'
                             WHEN bool_or(l.status = 'running') THEN 'on_track'
                             WHEN bool_or(l.status = 'paused') THEN 'paused'
                             WHEN bool_or(l.breached) THEN 'breached'
                             WHEN bool_or(l.status = 'met') THEN 'met'
                             END AS status,
                             MIN(l.deadline) FILTER (WHERE l.status = 'running')
                                 AS deadline
                        FROM unnest(%s::int[]) AS x(id)
                   LEFT JOIN telecom_sla_line l
                          ON l.ticket_id = x.id AND l.status != 'cancelled'
                    GROUP BY x.id
                      ) s
                WHERE t.id = s.id
                  AND (t.sla_status IS DISTINCT FROM s.status
                       OR t.sla_deadline IS DISTINCT FROM s.deadline)""",
            (list(ticket_ids),),
        )
        self.env["helpdesk.ticket"].invalidate_model(["sla_status", "sla_deadline"])

    def _invalidate_engine_cache(self):
        """The engine writes in SQL: forget what the ORM cached of it."""
        self.env["telecom.sla.line"].invalidate_model()
        self.env["telecom.sla.event"].invalidate_model()
        self.env["helpdesk.ticket"].invalidate_model(
            ["sla_line_ids", "sla_event_ids", "sla_status", "sla_deadline"]
        )
