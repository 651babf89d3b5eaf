"""Set-based data for the SLA benchmarks: tickets, calendars and policies.

Both databases of ``sla_scan.py`` (ours and OCA ``helpdesk_mgmt_sla``'s) get the
same tickets: ticket ``i`` of ``n`` is created ``i * spread / n`` after the start
of the window, in the same team, stage and company, with the same 16 working hours
resolution target on the same Monday-Friday 09:00-18:00 Moscow calendar.
"""

from datetime import timedelta

BENCH_TICKET_PREFIX = "BENCH-SLA-"
RESOLUTION_HOURS = 16
CALENDAR_NAME = "BENCH SLA Business Hours"
TEAM_NAME = "BENCH SLA Team"


def business_calendar(env):
    """Monday-Friday 09:00-18:00 Europe/Moscow, created once."""
    Calendar = env["resource.calendar"]
    calendar = Calendar.search([("name", "=", CALENDAR_NAME)], limit=1)
    if calendar:
        return calendar
    return Calendar.create(
        {
            "name": CALENDAR_NAME,
            "tz": "Europe/Moscow",
            "attendance_ids": [
                (
                    0,
                    0,
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 9,
                        "hour_to": 18,
                        "day_period": "morning",
                    },
                )
                for day in range(5)
            ],
        }
    )


def bench_team(env, **values):
    Team = env["helpdesk.ticket.team"]
    team = Team.search([("name", "=", TEAM_NAME)], limit=1)
    return team or Team.create({"name": TEAM_NAME, **values})


def open_stage(env):
    return env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress")


def window(now, days=8):
    """Tickets are created over the ``days`` before ``now``."""
    return now - timedelta(days=days), days * 86400


def delete_bench_tickets(cr, prefix=BENCH_TICKET_PREFIX):
    cr.execute("DELETE FROM helpdesk_ticket WHERE number LIKE %s", (prefix + "%",))
    return cr.rowcount


def insert_tickets(cr, count, *, team_id, stage_id, company_id, start, spread,
                   extra=None, params=None, prefix=BENCH_TICKET_PREFIX):  # fmt: skip
    """Insert ``count`` open tickets in one statement; returns their ids.

    ``extra`` maps more columns to SQL expressions over ``g`` (1..count),
    ``created`` (the creation instant) and the named ``params``.
    """
    extra = extra or {}
    columns = ", ".join(extra)
    expressions = ", ".join(extra.values())
    cr.execute(
        f"""INSERT INTO helpdesk_ticket (
                number, name, description, stage_id, team_id, company_id,
                priority, active, sequence, kanban_state, last_stage_update,
                create_uid, write_uid, create_date, write_date
                {", " + columns if columns else ""})
            SELECT %(prefix)s || g, 'Bench ticket ' || g, '<p>bench</p>',
                   %(stage)s, %(team)s, %(company)s, '1', true, 10, 'normal',
                   created, 1, 1, created, created
                   {", " + expressions if expressions else ""}
              FROM generate_series(1, %(count)s) AS g,
                   LATERAL (SELECT %(start)s::timestamp
                                   + make_interval(secs => g * %(step)s)
                           ) AS c(created)
         RETURNING id""",  # noqa: S608 - column names are ours, values are params
        {
            "prefix": prefix,
            "stage": stage_id,
            "team": team_id,
            "company": company_id,
            "count": count,
            "start": start,
            "step": spread / count,
            **(params or {}),
        },
    )
    return [row[0] for row in cr.fetchall()]
