from contextlib import contextmanager

from odoo import api, fields, models
from odoo.tools import SQL

from .sla_selections import LINE_STATUSES, PAUSE_REASONS, TARGET_KINDS


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
        # Lines are rewritten often (flags, recomputes): room on their pages
        # lets PostgreSQL update a row in place, without new index entries,
        # when no indexed column changes (a recompute that keeps a deadline).
        # For the same reason the recompute flag has no index (an index on it,
        # even partial, would make every flagging and recompute rewrite all
        # the indexes): the hourly cron reads the table once to find them.
        cr.execute("DROP INDEX IF EXISTS telecom_sla_line_recompute_idx")
        cr.execute("ALTER TABLE telecom_sla_line SET (fillfactor = 80)")

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
        """Refresh the SLA status and next deadline stored on the tickets.

        One statement for any number of tickets, on two read-only fields that
        only the engine writes and that are not tracked; it dates the change
        (``write_date``, ``write_uid``) as the ORM would.
        """
        if not ticket_ids:
            return
        self.env["helpdesk.ticket"].flush_model(
            ["sla_status", "sla_deadline", "write_date", "write_uid"]
        )
        self.env.cr.execute(
            """UPDATE helpdesk_ticket t
                  SET sla_status = s.status, sla_deadline = s.deadline,
                      write_date = %s, write_uid = %s
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
            (self.env.cr.now(), self.env.uid, list(ticket_ids)),
        )
        self.env["helpdesk.ticket"].invalidate_model(
            ["sla_status", "sla_deadline", "write_date", "write_uid"]
        )

    @api.model
    @contextmanager
    def _without_jit(self):
        """Statements over many lines without PostgreSQL's JIT compilation.

        Their estimated cost passes ``jit_above_cost`` as soon as they cover
        thousands of lines, and compiling their expressions costs more than
        running them (seconds, for a statement that runs in less). The setting
        comes back to its value afterwards.
        """
        cr = self.env.cr
        cr.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        previous = cr.fetchone()[0]
        try:
            yield
        finally:
            cr.execute("SELECT set_config('jit', %s, true)", (previous,))

    def _invalidate_engine_cache(self):
        """The engine writes in SQL: forget what the ORM cached of it."""
        self.env["telecom.sla.line"].invalidate_model()
        self.env["telecom.sla.event"].invalidate_model()
        self.env["helpdesk.ticket"].invalidate_model(
            ["sla_line_ids", "sla_event_ids", "sla_status", "sla_deadline"]
        )
