from odoo import api, models
from odoo.tools import SQL


class TelecomSlaLine(models.Model):
    """The engine's targets: start the clocks of a policy, retarget them,
    compute deadlines. Every method is set-based and journals its changes."""

    _inherit = "telecom.sla.line"

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
        """Deadlines and warning dates of open lines: one statement.

        W(start) of every line, then W⁻¹ of its deadline and warning
        thresholds, each computed for all lines by one sort of the lines with
        their calendar's intervals (not one index lookup per line).
        """
        if not line_ids:
            return
        self._ensure_line_keys(SQL("id = ANY(%s)", list(line_ids)))
        with self._without_jit():
            self._recompute_lines(line_ids, now)
        self._invalidate_engine_cache()

    def _recompute_lines(self, line_ids, now):
        Interval = self.env["telecom.sla.calendar.interval"]
        self.env.cr.execute(
            SQL(
                """WITH o AS MATERIALIZED (
                       SELECT l.id, l.calendar_id AS c,
                              COALESCE(l.calendar_region_id, 0) AS r, l.start_date,
                              l.paused_work_seconds, l.target_hours, l.warning_percent
                         FROM unnest(%(ids)s::int[]) AS x(id)
                         JOIN telecom_sla_line l ON l.id = x.id
                        WHERE l.status IN ('running', 'paused')
                   ), w AS (%(work)s),
                   g AS MATERIALIZED (
                       SELECT o.*, w.w + o.paused_work_seconds AS origin
                         FROM o LEFT JOIN w ON w.pid = o.id
                   ), d AS (%(times)s),
                   c AS (
                       SELECT d.pid / 2 AS id,
                              MIN(d.t) FILTER (WHERE d.pid = d.pid / 2 * 2)
                                  AS deadline,
                              MIN(d.t) FILTER (WHERE d.pid > d.pid / 2 * 2)
                                  AS warning_date
                         FROM d GROUP BY 1
                   )
                   UPDATE telecom_sla_line l
                      SET work_origin = g.origin,
                          deadline = c.deadline,
                          warning_date = c.warning_date,
                          warned = l.warned AND c.warning_date <= %(now)s,
                          at_risk = l.warned AND c.warning_date <= %(now)s,
                          breached = l.breached AND c.deadline <= %(now)s,
                          needs_recompute = false
                     FROM g LEFT JOIN c ON c.id = g.id
                    WHERE l.id = g.id""",
                now=now,
                ids=list(line_ids),
                work=Interval._sql_work_at_points(
                    SQL("SELECT o.id::bigint, o.c, o.r, o.start_date FROM o")
                ),
                times=Interval._sql_time_at_points(
                    SQL(
                        """SELECT g.id::bigint * 2, g.c, g.r,
                                  g.origin + g.target_hours * 3600 FROM g
                           UNION ALL
                           SELECT g.id::bigint * 2 + 1, g.c, g.r,
                                  g.origin + g.target_hours * 36 * g.warning_percent
                             FROM g"""
                    )
                ),
            )
        )

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
