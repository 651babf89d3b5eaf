import logging

from psycopg2 import errors

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class TelecomSlaLine(models.Model):
    """The scans of the SLA cron: at-risk and breach flags (exactly once
    each), reminders and escalations."""

    _inherit = "telecom.sla.line"

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
        summary_ids = {row[1] for row in warned + breached}
        self.env["telecom.escalation.rule"]._cron_escalate(now, summary_ids)
        self._sync_ticket_summary(summary_ids)
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
    def _tickets_with_agents(self, ticket_ids):
        """The tickets among ``ticket_ids`` with an active assignee or team
        leader (one query: most scans flag tickets nobody is reminded of)."""
        self.env["helpdesk.ticket"].flush_model(["user_id", "team_id"])
        self.env.cr.execute(
            """SELECT t.id FROM helpdesk_ticket t
            LEFT JOIN res_users u ON u.id = t.user_id AND u.active
            LEFT JOIN helpdesk_ticket_team team ON team.id = t.team_id
            LEFT JOIN res_users leader ON leader.id = team.user_id AND leader.active
                WHERE t.id = ANY(%s)
                  AND (u.id IS NOT NULL OR leader.id IS NOT NULL)""",
            (list(ticket_ids),),
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _remind(self, warned):
        """SLA targets are at risk: remind the assignee and the team leader of
        each ticket, once per target (the scan returns each warning once)."""
        if not warned:
            return
        reached = self._tickets_with_agents({row[1] for row in warned})
        lines = self.browse([row[0] for row in warned if row[1] in reached])
        if not lines:
            return
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
