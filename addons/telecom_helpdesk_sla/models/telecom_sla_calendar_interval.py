from datetime import datetime, timedelta

from pytz import timezone, utc

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.resource.models.utils import Intervals

# Working time is counted in seconds from this instant, for every calendar: the
# coordinate W(t) of an instant does not change when a calendar's horizon moves.
WORK_EPOCH = datetime(2020, 1, 1)
HORIZON_DAYS = 400  # working intervals are materialised up to now + this
REFRESH_DAYS = 365  # the daily cron rebuilds a key whose horizon is nearer


class TelecomSlaCalendarInterval(models.Model):
    """A working interval of a calendar, in UTC, with cumulative working time.

    A *key* is a calendar and optionally a zone: the zone brings its own time zone
    and its regional holidays. ``work_start`` is the working time (seconds) counted
    from :data:`WORK_EPOCH` to ``start_at``; ``work_end`` the same at ``end_at``.
    With these rows, the working time between two instants and the instant at
    which some working time is reached are two index lookups in SQL:

    - W(t) = work_start + (t - start_at) inside an interval, the next interval's
      work_start in a gap;
    - W⁻¹(x) = start_at + (x - work_start) of the interval with
      work_start < x <= work_end.

    Deadlines of any number of tickets are then one SQL statement.
    """

    _name = "telecom.sla.calendar.interval"
    _description = "SLA Working Interval"
    _log_access = False
    _order = "calendar_id, region_id, start_at"

    calendar_id = fields.Many2one(
        "resource.calendar", required=True, ondelete="cascade", readonly=True
    )
    region_id = fields.Many2one(
        "telecom.region", string="Zone", ondelete="cascade", readonly=True
    )
    start_at = fields.Datetime(required=True, readonly=True)
    end_at = fields.Datetime(required=True, readonly=True)
    work_start = fields.Float(required=True, readonly=True)
    work_end = fields.Float(required=True, readonly=True)

    def init(self):
        for column in ("end_at", "work_end"):
            self.env.cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON telecom_sla_calendar_interval "
                    "(calendar_id, (COALESCE(region_id, 0)), %s)",
                    SQL.identifier(f"telecom_sla_calendar_interval_key_{column}_idx"),
                    SQL.identifier(column),
                )
            )

    # ------------------------------------------------------------------
    # SQL building blocks: W(t) and W⁻¹(x) for a key given as SQL fragments
    # ------------------------------------------------------------------
    @api.model
    def _sql_work_at(self, calendar, region, moment):
        """SQL: working seconds from the epoch to ``moment`` on the key."""
        return SQL(
            """(SELECT CASE WHEN wi.start_at < %(t)s
                            THEN wi.work_start
                                 + EXTRACT(EPOCH FROM %(t)s - wi.start_at)::float8
                            ELSE wi.work_start END
                  FROM telecom_sla_calendar_interval wi
                 WHERE wi.calendar_id = %(c)s
                   AND COALESCE(wi.region_id, 0) = COALESCE(%(r)s, 0)
                   AND wi.end_at > %(t)s
              ORDER BY wi.end_at LIMIT 1)""",
            t=moment,
            c=calendar,
            r=region,
        )

    @api.model
    def _sql_time_at(self, calendar, region, work):
        """SQL: the instant at which the key reaches ``work`` working seconds."""
        return SQL(
            """(SELECT date_trunc('second', ti.start_at
                       + make_interval(secs => %(x)s - ti.work_start)
                       + INTERVAL '0.5 second')
                  FROM telecom_sla_calendar_interval ti
                 WHERE ti.calendar_id = %(c)s
                   AND COALESCE(ti.region_id, 0) = COALESCE(%(r)s, 0)
                   AND ti.work_end >= %(x)s
              ORDER BY ti.work_end LIMIT 1)""",
            x=work,
            c=calendar,
            r=region,
        )

    # ------------------------------------------------------------------
    # the same for many points at once: one sort instead of a lookup each
    # ------------------------------------------------------------------
    @api.model
    def _sql_work_at_points(self, points):
        """SQL of rows ``(pid, w)``: W(t) of every point of ``points``, an SQL
        query of rows ``(pid, c, r, v)`` (point id, calendar id, zone id or 0,
        instant).

        The intervals of the points' keys and the points are sorted together,
        latest first: the intervals sorted before a point are those ending
        after it, and the nearest of them has the smallest start and working
        time (both grow with time). One sort, whatever the number of points;
        the same values as :meth:`_sql_work_at` (a point without interval: no
        row).
        """
        return SQL(
            """SELECT z.pid,
                      CASE WHEN z.s < z.v
                           THEN z.ws + EXTRACT(EPOCH FROM z.v - z.s)::float8
                           ELSE z.ws END AS w
                 FROM (%s) z
                WHERE z.kind = 1 AND z.ws IS NOT NULL""",
            self._sql_sweep(points, SQL("i.end_at"), SQL("u.v DESC, u.kind DESC")),
        )

    @api.model
    def _sql_time_at_points(self, points):
        """SQL of rows ``(pid, t)``: W⁻¹(x) of every point of ``points`` (rows
        ``(pid, c, r, v)``, ``v`` a working time), as :meth:`_sql_time_at` gives
        it, by the same single sort (an interval ending exactly at ``x`` is
        sorted before the point: it is the one reaching it)."""
        return SQL(
            """SELECT z.pid,
                      date_trunc('second', z.s + make_interval(secs => z.v - z.ws)
                                 + INTERVAL '0.5 second') AS t
                 FROM (%s) z
                WHERE z.kind = 1 AND z.ws IS NOT NULL""",
            self._sql_sweep(points, SQL("i.work_end"), SQL("u.v DESC, u.kind")),
        )

    @api.model
    def _sql_sweep(self, points, interval_value, order):
        """Points with the start and working start of the nearest interval
        whose ``interval_value`` sorts before them in ``order``."""
        return SQL(
            """WITH p(pid, c, r, v) AS MATERIALIZED (%(points)s)
               SELECT u.pid, u.v, u.kind,
                      MIN(u.s) FILTER (WHERE u.kind = 0) OVER w AS s,
                      MIN(u.ws) FILTER (WHERE u.kind = 0) OVER w AS ws
                 FROM (
                      SELECT NULL::bigint AS pid, i.calendar_id AS c,
                             COALESCE(i.region_id, 0) AS r, %(value)s AS v,
                             i.start_at AS s, i.work_start AS ws, 0 AS kind
                        FROM telecom_sla_calendar_interval i
                        JOIN (SELECT DISTINCT c, r FROM p) k
                          ON k.c = i.calendar_id AND k.r = COALESCE(i.region_id, 0)
                   UNION ALL
                      SELECT p.pid, p.c, p.r, p.v, NULL, NULL, 1
                        FROM p WHERE p.v IS NOT NULL
                      ) u
               WINDOW w AS (PARTITION BY u.c, u.r ORDER BY %(order)s
                            ROWS UNBOUNDED PRECEDING)""",
            points=points,
            value=interval_value,
            order=order,
        )

    @api.model
    def _work_between(self, key, start, end):
        """Working seconds of ``key`` between two instants (for explanations)."""
        self._ensure_keys({key})
        calendar_id, region_id = key
        self.env.cr.execute(
            SQL(
                "SELECT %s - %s",
                self._sql_work_at(calendar_id, region_id, end),
                self._sql_work_at(calendar_id, region_id, start),
            )
        )
        return self.env.cr.fetchone()[0] or 0.0

    # ------------------------------------------------------------------
    # materialisation
    # ------------------------------------------------------------------
    @api.model
    def _ensure_keys(self, keys):
        """Materialise the keys ``(calendar_id, region_id or 0)`` not built yet."""
        keys = {(calendar_id, region_id or 0) for calendar_id, region_id in keys}
        if not keys:
            return
        missing = self._missing_keys(keys)
        for calendar_id, region_id in missing:
            # one builder per key at a time, whatever the number of workers
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", (calendar_id, region_id)
            )
            if self._missing_keys({(calendar_id, region_id)}):
                self._build_key(calendar_id, region_id)

    def _missing_keys(self, keys):
        calendar_ids, region_ids = zip(*keys, strict=True)
        self.env.cr.execute(
            """SELECT k.calendar_id, k.region_id
                 FROM unnest(%s::int[], %s::int[]) AS k(calendar_id, region_id)
                WHERE NOT EXISTS (
                      SELECT 1 FROM telecom_sla_calendar_interval i
                       WHERE i.calendar_id = k.calendar_id
                         AND COALESCE(i.region_id, 0) = k.region_id)""",
            (list(calendar_ids), list(region_ids)),
        )
        return self.env.cr.fetchall()

    def _build_key(self, calendar_id, region_id):
        calendar = self.env["resource.calendar"].browse(calendar_id)
        region = self.env["telecom.region"].browse(region_id)
        end = datetime.combine(
            fields.Date.today() + timedelta(days=HORIZON_DAYS), datetime.min.time()
        )
        starts, ends = [], []
        for start, stop in self._key_intervals(calendar, region, WORK_EPOCH, end):
            if starts and start <= ends[-1]:  # touching intervals: one row
                ends[-1] = max(ends[-1], stop)
                continue
            starts.append(start)
            ends.append(stop)
        self.env.cr.execute(
            """INSERT INTO telecom_sla_calendar_interval
                   (calendar_id, region_id, start_at, end_at, work_start, work_end)
               SELECT %s, %s, s, e,
                      COALESCE(SUM(EXTRACT(EPOCH FROM e - s)::float8) OVER w, 0),
                      SUM(EXTRACT(EPOCH FROM e - s)::float8) OVER w2
                 FROM unnest(%s::timestamp[], %s::timestamp[]) AS u(s, e)
               WINDOW w AS (ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING
                                              AND 1 PRECEDING),
                      w2 AS (ORDER BY s ROWS UNBOUNDED PRECEDING)""",
            (calendar_id, region_id or None, starts, ends),
        )

    def _key_intervals(self, calendar, region, start, end):
        """Working intervals of ``calendar`` (in ``region``'s time and holidays),
        as naive UTC datetimes, sorted."""
        if calendar.telecom_always_on:
            return [(start, end)]
        tz = timezone(region.tz or calendar.tz or "UTC")
        start_dt, end_dt = utc.localize(start), utc.localize(end)
        attendances = calendar._attendance_intervals_batch(start_dt, end_dt, tz=tz)
        work = attendances[False] - self._holiday_intervals(
            calendar, region, tz, start_dt, end_dt
        )
        return [
            (
                begin.astimezone(utc).replace(tzinfo=None),
                stop.astimezone(utc).replace(tzinfo=None),
            )
            for begin, stop, _records in work
        ]

    def _holiday_intervals(self, calendar, region, tz, start_dt, end_dt):
        """Public holidays of the key as intervals in ``tz``.

        A holiday is a day on the wall clock: a holiday entered for the calendar's
        (or its zone's) time zone covers the same local hours in every zone.
        """
        leaves = self.env["resource.calendar.leaves"].search(
            self._get_holiday_domain(calendar, region, start_dt, end_dt)
        )
        intervals = []
        for leave in leaves:
            entry_tz = timezone(leave.telecom_region_id.tz or calendar.tz or "UTC")
            bounds = [
                tz.localize(
                    utc.localize(moment).astimezone(entry_tz).replace(tzinfo=None)
                )
                for moment in (leave.date_from, leave.date_to)
            ]
            intervals.append((bounds[0], bounds[1], leave))
        return Intervals(intervals)

    @api.model
    def _get_holiday_domain(self, calendar, region, start_dt, end_dt):
        margin = timedelta(days=1)  # wall-clock shifts move a holiday by < 1 day
        domain = [
            ("resource_id", "=", False),
            ("time_type", "=", "leave"),
            ("calendar_id", "in", [False, calendar.id]),
            ("date_from", "<=", end_dt.replace(tzinfo=None) + margin),
            ("date_to", ">=", start_dt.replace(tzinfo=None) - margin),
        ]
        if calendar.company_id:
            domain.append(("company_id", "in", [False, calendar.company_id.id]))
        if region:
            ancestor_ids = [int(part) for part in region.parent_path.split("/") if part]
            domain.append(("telecom_region_id", "in", [False, *ancestor_ids]))
        else:
            domain.append(("telecom_region_id", "=", False))
        return domain

    @api.model
    def _invalidate_calendars(self, calendars=None):
        """Forget the intervals of ``calendars`` (all when None) and queue the
        recomputation of the open SLA lines that used them."""
        self.env.flush_all()
        if calendars is None:
            self.env.cr.execute("TRUNCATE telecom_sla_calendar_interval")
            condition = SQL("TRUE")
        else:
            self.env.cr.execute(
                "DELETE FROM telecom_sla_calendar_interval WHERE calendar_id = ANY(%s)",
                (calendars.ids,),
            )
            condition = SQL("calendar_id = ANY(%s)", calendars.ids)
        self.env["telecom.sla.line"]._flag_for_recompute(condition)

    @api.model
    def _cron_refresh_horizon(self):
        """Daily: rebuild the keys whose horizon comes within a year from now."""
        limit = datetime.combine(
            fields.Date.today() + timedelta(days=REFRESH_DAYS), datetime.min.time()
        )
        self.env.cr.execute(
            """SELECT calendar_id, COALESCE(region_id, 0)
                 FROM telecom_sla_calendar_interval
             GROUP BY calendar_id, COALESCE(region_id, 0)
               HAVING MAX(end_at) < %s""",
            (limit,),
        )
        keys = self.env.cr.fetchall()
        for calendar_id, region_id in keys:
            self.env.cr.execute(
                """DELETE FROM telecom_sla_calendar_interval
                    WHERE calendar_id = %s AND COALESCE(region_id, 0) = %s""",
                (calendar_id, region_id),
            )
        # same epoch, same calendar: the working time of past instants is unchanged
        self._ensure_keys(keys)
