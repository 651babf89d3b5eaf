from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .sla_selections import ACTIVE_INCIDENT_STATES


class TelecomIncident(models.Model):
    """The tickets of an incident (linking, resolving) and its impact."""

    _inherit = "telecom.incident"

    @api.model
    def _auto_link(self, tickets):
        """Link new tickets to the open incident of their zone and service."""
        tickets = tickets.filtered(
            lambda t: not t.incident_id and t.telecom_region_id and not t.closed
        )
        if not tickets:
            return
        # sudo: a ticket is linked to the incident of its zone whoever opens it
        incidents = self.sudo().search(
            [
                ("state", "in", ACTIVE_INCIDENT_STATES),
                ("auto_link", "=", True),
                ("company_id", "in", tickets.company_id.ids),
            ],
            order="severity, date_start desc",
        )
        if not incidents:
            return
        now = fields.Datetime.now()
        links = {}
        for ticket in tickets:
            incident = next(
                (
                    incident
                    for incident in incidents
                    if incident._matches_ticket(ticket, now)
                ),
                None,
            )
            if incident:
                links[ticket.id] = incident.id
        # sudo: a new ticket joins the incident of its zone whoever opens it (a
        # subscriber on the portal, the mail gateway); the ORM write keeps the
        # link tracked and dated
        tickets.sudo()._telecom_engine_write("incident_id", links)

    def _matches_ticket(self, ticket, now):
        self.ensure_one()
        if ticket.company_id != self.company_id:
            return False
        if not self.date_start <= now <= (self.date_end or now):
            return False
        if self.service_type and ticket.telecom_service_type != self.service_type:
            return False
        if self.access_technology and (
            ticket.telecom_access_technology != self.access_technology
        ):
            return False
        path = ticket.telecom_region_id.parent_path
        return any(path.startswith(region.parent_path) for region in self.region_ids)

    def _link_tickets(self, tickets):
        """Link ``tickets`` to this incident as the current user (who must be
        allowed to write the incident and the tickets): one ORM write, tracked,
        then the clocks of the policies that exclude incident time stop
        (set-based)."""
        self.ensure_one()
        if self.state not in ACTIVE_INCIDENT_STATES:
            raise UserError(
                self.env._(
                    "%(incident)s is closed: tickets cannot be linked to it.",
                    incident=self.display_name,
                )
            )
        self.check_access("write")
        tickets.check_access("write")
        tickets.flush_recordset(["incident_id"])
        self.env.cr.execute(
            """SELECT id FROM helpdesk_ticket
                WHERE id = ANY(%s) AND incident_id IS DISTINCT FROM %s""",
            (tickets.ids, self.id),
        )
        to_link = tickets.browse([row[0] for row in self.env.cr.fetchall()])
        to_link._telecom_engine_write(
            "incident_id", dict.fromkeys(to_link.ids, self.id)
        )
        linked = len(to_link)
        now = fields.Datetime.now()
        tickets._sla_sync_pause(now)
        self.env["telecom.sla.line"]._sync_ticket_summary(tickets.ids)
        return linked

    def _resume_ticket_clocks(self, tickets):
        now = fields.Datetime.now()
        tickets._sla_sync_pause(now)
        self.env["telecom.sla.line"]._sync_ticket_summary(tickets.ids)

    def _resolve_linked_tickets(self, limit=1000):
        """Close up to ``limit`` open tickets linked to these incidents with
        their incident's resolution; returns (closed, still open)."""
        return self._close_linked_tickets([("incident_id", "in", self.ids)], limit)

    @api.model
    def _close_linked_tickets(self, incident_domain, limit):
        """Close up to ``limit`` open tickets linked to the incidents of
        ``incident_domain`` (a domain on the tickets), whatever the number of
        incidents: one search, one stage write per team and company, one
        batch of chatter notes; returns (closed, still open)."""
        Ticket = self.env["helpdesk.ticket"]
        domain = [*incident_domain, ("closed", "=", False)]
        tickets = Ticket.search(domain, limit=limit)
        bodies = {
            incident: incident._resolution_note() for incident in tickets.incident_id
        }
        closed = Ticket
        for (team, company), group in tickets.grouped(
            lambda ticket: (ticket.team_id, ticket.incident_id.company_id)
        ).items():
            stage = team._get_applicable_stages().filtered("closed")[:1]
            stage = stage or self._fallback_closed_stage(company)
            if not stage:
                continue
            # the subscribers are told by the incident notification: no stage
            # e-mail per ticket (the stage change is still tracked)
            group.with_context(telecom_sla_no_stage_mail=True).write(
                {"stage_id": stage.id}
            )
            closed |= group
        if closed:
            closed._message_log_batch(
                bodies={ticket.id: bodies[ticket.incident_id] for ticket in closed}
            )
        return len(tickets), Ticket.search_count(domain)

    def _resolution_note(self):
        self.ensure_one()
        return Markup("<p><strong>%s</strong></p><p>%s</p>") % (
            self.env._(
                "Resolved with the mass incident %(incident)s.",
                incident=self.display_name,
            ),
            self.resolution or "",
        )

    @api.model
    def _fallback_closed_stage(self, company):
        return self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True), ("company_id", "in", [False, company.id])],
            limit=1,
        )

    @api.model
    def _cron_close_resolved_tickets(self, limit=1000):
        """Close, in batches, the tickets still open on resolved incidents
        (all incidents at once: one search, not one per incident)."""
        done, remaining = self._close_linked_tickets(
            [("incident_id.state", "=", "resolved")], limit
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    # ------------------------------------------------------------------
    # impact
    # ------------------------------------------------------------------
    def _impact_figures(self):
        """Subscribers affected, tickets breached, SLA time excluded / counted,
        and satisfaction of affected vs other subscribers (a few queries)."""
        self.ensure_one()
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("SELECT count(*) FROM (%s) a", self._affected_partner_sql()))
        subscribers = cr.fetchone()[0]
        cr.execute(
            """SELECT count(DISTINCT l.ticket_id) FROM telecom_sla_line l
                 JOIN helpdesk_ticket t ON t.id = l.ticket_id
                WHERE t.incident_id = %s AND l.breached""",
            (self.id,),
        )
        breached = cr.fetchone()[0]
        # one pause per ticket and resumption (its targets pause together)
        cr.execute(
            """SELECT COALESCE(SUM(spent), 0) / 3600 FROM (
                   SELECT MAX(work_seconds) AS spent FROM telecom_sla_event
                    WHERE incident_id = %s AND event_type = 'resumed'
                 GROUP BY ticket_id, date) pauses""",
            (self.id,),
        )
        excluded = cr.fetchone()[0]
        end = self.date_end or fields.Datetime.now()
        cr.execute(
            """SELECT COALESCE(SUM(GREATEST(EXTRACT(EPOCH FROM
                          LEAST(COALESCE(t.closed_date, %(end)s), %(end)s)
                        - GREATEST(t.telecom_sla_start_date, %(start)s)), 0)), 0)
                      / 3600
                 FROM helpdesk_ticket t
                 JOIN telecom_sla_policy p ON p.id = t.sla_policy_id
                WHERE t.incident_id = %(incident)s AND p.incident_time = 'count'""",
            {"incident": self.id, "start": self.date_start, "end": end},
        )
        counted = cr.fetchone()[0]
        cr.execute(
            SQL(
                """SELECT t.partner_id IN (%s) AS affected,
                          AVG(t.telecom_satisfaction::int)
                     FROM helpdesk_ticket t
                    WHERE t.telecom_satisfaction IS NOT NULL
                      AND t.company_id = %s
                      AND t.closed_date BETWEEN %s AND %s
                 GROUP BY 1""",
                self._affected_partner_sql(),
                self.company_id.id,
                self.date_start,
                end,
            )
        )
        csat = dict(cr.fetchall())
        return {
            "subscribers": subscribers,
            "breached": breached,
            "excluded": excluded,
            "counted": counted,
            "csat_affected": float(csat.get(True) or 0.0),
            "csat_unaffected": float(csat.get(False) or 0.0),
        }
