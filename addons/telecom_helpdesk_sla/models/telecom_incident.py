from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.telecom_subscriber.tools.selections import (
    ACCESS_TECHNOLOGIES,
    SERVICE_TYPES,
)

from .sla_selections import (
    ACTIVE_INCIDENT_STATES,
    INCIDENT_SEVERITIES,
    INCIDENT_STATES,
)

LIVE_SERVICE_STATES = ("active", "blocked")
TRANSITIONS = {
    "identify": ("open",),
    "monitor": ("open", "identified"),
    "resolve": ("open", "identified", "monitoring"),
    "cancel": ("open", "identified", "monitoring"),
}


class TelecomIncident(models.Model):
    """A network incident (outage, degradation) affecting zones and services.

    Tickets link to it (by hand, in bulk, or automatically when a new ticket of
    an affected zone and service arrives while it is open). Opening, updating the
    public message and resolving it notify every affected subscriber through a
    queue; resolving it resolves the linked tickets.
    """

    _name = "telecom.incident"
    _description = "Mass Incident"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["name", "reference"]

    reference = fields.Char(
        required=True, copy=False, readonly=True, index=True, default="/"
    )
    name = fields.Char(string="Title", required=True, tracking=True)
    state = fields.Selection(
        INCIDENT_STATES,
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        index=True,
    )
    severity = fields.Selection(
        INCIDENT_SEVERITIES, required=True, default="major", tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Coordinator",
        default=lambda self: self.env.user,
        tracking=True,
    )
    region_ids = fields.Many2many(
        "telecom.region",
        "telecom_incident_region_rel",
        "incident_id",
        "region_id",
        string="Affected Zones",
        required=True,
        help="The incident affects these zones and every zone below them.",
    )
    affected_addresses = fields.Text(help="Streets, buildings, sites.")
    affected_cells = fields.Text(help="Cell identifiers (CGI / ECGI / NCGI).")
    service_type = fields.Selection(
        SERVICE_TYPES, string="Affected Service", help="Empty: every service type."
    )
    access_technology = fields.Selection(
        ACCESS_TECHNOLOGIES, string="Technology", help="Empty: every technology."
    )
    date_start = fields.Datetime(
        string="Started", required=True, default=fields.Datetime.now, tracking=True
    )
    date_estimated_end = fields.Datetime(string="Estimated End", tracking=True)
    date_end = fields.Datetime(string="Ended", readonly=True, tracking=True)
    public_message = fields.Text(
        translate=True,
        tracking=True,
        help="What subscribers are told (notifications, portal, agents on the "
        "subscriber card).",
    )
    resolution = fields.Text(
        tracking=True, help="Cause and fix; posted on every linked ticket."
    )
    auto_link = fields.Boolean(
        string="Link New Tickets",
        default=True,
        help="Link new tickets of the affected zones and service automatically.",
    )
    notify_email = fields.Boolean(string="Notify by Email", default=True)
    notify_sms = fields.Boolean(string="Notify by SMS", default=True)
    ticket_ids = fields.One2many("helpdesk.ticket", "incident_id", string="Tickets")
    notification_ids = fields.One2many(
        "telecom.incident.notification", "incident_id", string="Notifications"
    )
    ticket_count = fields.Integer(compute="_compute_ticket_counts")
    open_ticket_count = fields.Integer(compute="_compute_ticket_counts")
    notification_queued_count = fields.Integer(compute="_compute_notification_counts")
    notification_sent_count = fields.Integer(compute="_compute_notification_counts")
    notification_skipped_count = fields.Integer(compute="_compute_notification_counts")
    notification_failed_count = fields.Integer(compute="_compute_notification_counts")
    affected_subscriber_count = fields.Integer(compute="_compute_impact")
    breached_ticket_count = fields.Integer(
        string="Tickets with an SLA Breach", compute="_compute_impact"
    )
    sla_excluded_hours = fields.Float(
        string="SLA Time Excluded (h)",
        compute="_compute_impact",
        help="Working hours the clocks of linked tickets stood still because their "
        "policy excludes incident time.",
    )
    sla_counted_hours = fields.Float(
        string="SLA Time Counted (h)",
        compute="_compute_impact",
        help="Hours linked tickets under policies that count incident time spent "
        "open during the incident.",
    )
    csat_affected = fields.Float(
        string="Satisfaction of Affected Subscribers", compute="_compute_impact"
    )
    csat_unaffected = fields.Float(
        string="Satisfaction of Other Subscribers", compute="_compute_impact"
    )

    @api.constrains("date_start", "date_estimated_end")
    def _check_dates(self):
        for incident in self:
            if (
                incident.date_estimated_end
                and incident.date_estimated_end < incident.date_start
            ):
                raise ValidationError(
                    self.env._(
                        "The estimated end of %(incident)s is before its start.",
                        incident=incident.display_name,
                    )
                )

    def _compute_display_name(self):
        for incident in self:
            incident.display_name = f"{incident.reference} - {incident.name}"

    def _compute_ticket_counts(self):
        totals = defaultdict(int)
        opened = defaultdict(int)
        for incident, stage, count in self.env["helpdesk.ticket"]._read_group(
            [("incident_id", "in", self.ids)], ["incident_id", "stage_id"], ["__count"]
        ):
            totals[incident.id] += count
            if not stage.closed:
                opened[incident.id] += count
        for incident in self:
            incident.ticket_count = totals[incident.id]
            incident.open_ticket_count = opened[incident.id]

    def _compute_notification_counts(self):
        counts = defaultdict(int)
        # sudo: counters only; the rows hold subscribers' addresses
        for incident, state, count in (
            self.env["telecom.incident.notification"]
            .sudo()
            ._read_group(
                [("incident_id", "in", self.ids)], ["incident_id", "state"], ["__count"]
            )
        ):
            counts[incident.id, state] = count
        for incident in self:
            incident.notification_queued_count = counts[incident.id, "queued"]
            incident.notification_sent_count = counts[incident.id, "sent"]
            incident.notification_skipped_count = counts[incident.id, "skipped"]
            incident.notification_failed_count = counts[incident.id, "failed"]

    def _compute_impact(self):
        for incident in self:
            impact = incident._impact_figures() if incident.id else {}
            incident.affected_subscriber_count = impact.get("subscribers", 0)
            incident.breached_ticket_count = impact.get("breached", 0)
            incident.sla_excluded_hours = impact.get("excluded", 0.0)
            incident.sla_counted_hours = impact.get("counted", 0.0)
            incident.csat_affected = impact.get("csat_affected", 0.0)
            incident.csat_unaffected = impact.get("csat_unaffected", 0.0)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("reference", "/") == "/":
                vals["reference"] = (
                    self.env["ir.sequence"].next_by_code("telecom.incident") or "/"
                )
        incidents = super().create(vals_list)
        incidents._emit("incident.opened")
        incidents.filtered("public_message")._queue_notifications("opened")
        return incidents

    def write(self, vals):
        result = super().write(vals)
        if vals.get("public_message"):
            self.filtered(
                lambda incident: incident.state in ACTIVE_INCIDENT_STATES
            )._queue_notifications("updated")
        return result

    # ------------------------------------------------------------------
    # transitions
    # ------------------------------------------------------------------
    def _check_transition(self, transition):
        allowed = TRANSITIONS[transition]
        states = dict(self._fields["state"]._description_selection(self.env))
        for incident in self:
            if incident.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(incident)s is %(state)s: it cannot move to this stage.",
                        incident=incident.display_name,
                        state=states[incident.state],
                    )
                )

    def action_identify(self):
        self._check_transition("identify")
        self.write({"state": "identified"})
        self._emit("incident.identified")
        return True

    def action_monitor(self):
        self._check_transition("monitor")
        self.write({"state": "monitoring"})
        self._emit("incident.monitoring")
        return True

    def action_resolve(self):
        """Resolve: notify the subscribers, resolve the linked tickets, resume
        the clocks the incident had stopped."""
        self._check_transition("resolve")
        missing = self.filtered(lambda incident: not incident.resolution)
        if missing:
            raise UserError(
                self.env._(
                    "Describe the resolution of %(incident)s before resolving it: "
                    "it is posted on every linked ticket.",
                    incident=missing[0].display_name,
                )
            )
        self.write({"state": "resolved", "date_end": fields.Datetime.now()})
        self._emit("incident.resolved")
        self._queue_notifications("resolved")
        for incident in self:
            _done, remaining = incident._resolve_linked_tickets()
            if remaining:
                self.env.ref(
                    "telecom_helpdesk_sla.ir_cron_telecom_incident_close_tickets"
                )._trigger()
        return True

    def action_cancel(self):
        """A false alarm: no notification; linked tickets resume their clocks."""
        self._check_transition("cancel")
        self.write({"state": "cancelled", "date_end": fields.Datetime.now()})
        self._emit("incident.cancelled")
        self._resume_ticket_clocks(self.ticket_ids)
        return True

    def _emit(self, event_type):
        self.env["telecom.event"]._emit(
            event_type,
            [
                {
                    "res_model": self._name,
                    "res_id": incident.id,
                    "summary": incident.display_name,
                    "company_id": incident.company_id.id,
                    "payload": {
                        "severity": incident.severity,
                        "region_ids": incident.region_ids.ids,
                        "service_type": incident.service_type,
                    },
                }
                for incident in self
            ],
        )

    # ------------------------------------------------------------------
    # affected subscribers
    # ------------------------------------------------------------------
    def _affected_partner_sql(self):
        """SQL selecting the subscribers with a live service of the incident's
        service type and technology in its zones (or below)."""
        self.ensure_one()
        conditions = [
            SQL("s.state IN %s", LIVE_SERVICE_STATES),
            SQL("s.company_id = %s", self.company_id.id),
            SQL(
                "r.parent_path LIKE ANY(%s)",
                [f"{region.parent_path}%" for region in self.region_ids],
            ),
        ]
        if self.service_type:
            conditions.append(SQL("s.service_type = %s", self.service_type))
        if self.access_technology:
            conditions.append(SQL("s.access_technology = %s", self.access_technology))
        return SQL(
            """SELECT DISTINCT s.partner_id FROM telecom_service s
                 JOIN telecom_region r ON r.id = s.region_id
                WHERE %s""",
            SQL(" AND ").join(conditions),
        )

    def _queue_notifications(self, kind):
        """Queue one notification per affected subscriber and channel, in one
        INSERT ... SELECT; opted-out subscribers get a skipped row."""
        for incident in self:
            channels = [
                channel
                for channel, enabled in (
                    ("email", incident.notify_email),
                    ("sms", incident.notify_sms),
                )
                if enabled
            ]
            if not channels or not incident.region_ids:
                continue
            self.env.cr.execute(
                SQL(
                    """INSERT INTO telecom_incident_notification
                           (incident_id, partner_id, channel, kind, state,
                            skip_reason, address, company_id, create_uid,
                            create_date, write_uid, write_date)
                       SELECT %(incident)s, p.id, ch.channel, %(kind)s,
                              CASE WHEN o.reason IS NULL THEN 'queued'
                                   ELSE 'skipped' END,
                              o.reason,
                              CASE WHEN ch.channel = 'email'
                                   THEN p.email_normalized
                                   ELSE p.phone_sanitized END,
                              %(company)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                         FROM (%(affected)s) AS a(partner_id)
                         JOIN res_partner p ON p.id = a.partner_id
                   CROSS JOIN unnest(%(channels)s::varchar[]) AS ch(channel)
                   CROSS JOIN LATERAL (%(opt_out)s) AS o(reason)
                        WHERE CASE WHEN ch.channel = 'email'
                                   THEN p.email_normalized IS NOT NULL
                                   ELSE p.phone_sanitized IS NOT NULL END""",
                    incident=incident.id,
                    kind=kind,
                    company=incident.company_id.id,
                    uid=self.env.uid,
                    now=fields.Datetime.now(),
                    affected=incident._affected_partner_sql(),
                    channels=channels,
                    opt_out=self.env["telecom.incident.notification"]._opt_out_sql(
                        SQL("p"), SQL("ch.channel")
                    ),
                )
            )
            self.env["telecom.incident.notification"].invalidate_model()
        if self:
            cron = self.env.ref(
                "telecom_helpdesk_sla.ir_cron_telecom_incident_notify",
                raise_if_not_found=False,
            )
            if cron:
                cron._trigger()

    @api.model
    def _active_for_partners(self, partners):
        """{partner id: incident ids} of the active incidents affecting each
        subscriber (through its live services or, for incidents on every
        service, its zone), in one query."""
        if not partners:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT DISTINCT a.partner_id, i.id
                 FROM telecom_incident i
                 JOIN telecom_incident_region_rel rel ON rel.incident_id = i.id
                 JOIN telecom_region ir ON ir.id = rel.region_id
                 JOIN (
                      SELECT s.partner_id, s.region_id, s.service_type,
                             s.access_technology
                        FROM telecom_service s
                       WHERE s.partner_id = ANY(%(partners)s)
                         AND s.state IN ('active', 'blocked')
                       UNION ALL
                      SELECT p.id, p.telecom_region_id, NULL, NULL
                        FROM res_partner p
                       WHERE p.id = ANY(%(partners)s)
                         AND p.telecom_region_id IS NOT NULL
                      ) a ON (a.service_type IS NOT NULL
                              OR (i.service_type IS NULL
                                  AND i.access_technology IS NULL))
                 JOIN telecom_region ar ON ar.id = a.region_id
                WHERE i.state IN %(states)s
                  AND ar.parent_path LIKE ir.parent_path || '%%'
                  AND (i.service_type IS NULL OR i.service_type = a.service_type)
                  AND (i.access_technology IS NULL
                       OR i.access_technology = a.access_technology)""",
            {"partners": partners.ids, "states": ACTIVE_INCIDENT_STATES},
        )
        result = defaultdict(list)
        for partner_id, incident_id in self.env.cr.fetchall():
            result[partner_id].append(incident_id)
        return result

    def _notification_texts(self, kind):
        """Subject and text of a ``kind`` notification, in the context language."""
        self.ensure_one()
        if kind == "resolved":
            subject = self.env._("Service restored: %(incident)s", incident=self.name)
            text = self.env._(
                "The incident affecting your services in your area is resolved. "
                "%(message)s We apologise for the inconvenience.",
                message=self.public_message or "",
            )
        else:
            if kind == "opened":
                subject = self.env._(
                    "Network incident in your area: %(incident)s", incident=self.name
                )
            else:
                subject = self.env._(
                    "Update on the network incident: %(incident)s", incident=self.name
                )
            estimate = (
                self.env._(
                    " Estimated restoration: %(date)s.",
                    date=fields.Datetime.to_string(
                        fields.Datetime.context_timestamp(self, self.date_estimated_end)
                    )[:16],
                )
                if self.date_estimated_end
                else ""
            )
            text = (self.public_message or "") + estimate
        return subject, text

    @api.model
    def _portal_incidents(self, partner):
        """Active incidents affecting ``partner``, as the current (portal) user
        may read them."""
        incident_ids = self._active_for_partners(partner).get(partner.id, [])
        return self.browse(incident_ids)._filtered_access("read")

    # ------------------------------------------------------------------
    # tickets
    # ------------------------------------------------------------------
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
        if links:
            self.env.cr.execute(
                """UPDATE helpdesk_ticket t SET incident_id = x.incident_id
                     FROM unnest(%s::int[], %s::int[]) AS x(id, incident_id)
                    WHERE t.id = x.id""",
                (list(links), list(links.values())),
            )
            tickets.invalidate_recordset(["incident_id"])

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
        """Link ``tickets`` to this incident: one UPDATE, then the clocks of the
        policies that exclude incident time stop (set-based)."""
        self.ensure_one()
        if self.state not in ACTIVE_INCIDENT_STATES:
            raise UserError(
                self.env._(
                    "%(incident)s is closed: tickets cannot be linked to it.",
                    incident=self.display_name,
                )
            )
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE helpdesk_ticket SET incident_id = %s
                WHERE id = ANY(%s) AND incident_id IS DISTINCT FROM %s""",
            (self.id, tickets.ids, self.id),
        )
        linked = self.env.cr.rowcount
        tickets.invalidate_recordset(["incident_id"])
        now = fields.Datetime.now()
        tickets._sla_sync_pause(now)
        self.env["telecom.sla.line"]._sync_ticket_summary(tickets.ids)
        return linked

    def _resume_ticket_clocks(self, tickets):
        now = fields.Datetime.now()
        tickets._sla_sync_pause(now)
        self.env["telecom.sla.line"]._sync_ticket_summary(tickets.ids)

    def _resolve_linked_tickets(self, limit=1000):
        """Close up to ``limit`` open linked tickets with the incident's
        resolution; returns (closed, still open)."""
        self.ensure_one()
        Ticket = self.env["helpdesk.ticket"]
        domain = [("incident_id", "=", self.id), ("closed", "=", False)]
        tickets = Ticket.search(domain, limit=limit)
        body = Markup("<p><strong>%s</strong></p><p>%s</p>") % (
            self.env._(
                "Resolved with the mass incident %(incident)s.",
                incident=self.display_name,
            ),
            self.resolution or "",
        )
        fallback = self.env["helpdesk.ticket.stage"].search(
            [("closed", "=", True), ("company_id", "in", [False, self.company_id.id])],
            limit=1,
        )
        for team, team_tickets in tickets.grouped("team_id").items():
            stage = team._get_applicable_stages().filtered("closed")[:1] or fallback
            if not stage:
                continue
            # the subscribers are told by the incident notification: no stage
            # e-mail per ticket
            team_tickets.with_context(mail_notrack=True).write({"stage_id": stage.id})
            team_tickets._message_log_batch(
                bodies=dict.fromkeys(team_tickets.ids, body)
            )
        return len(tickets), Ticket.search_count(domain)

    @api.model
    def _cron_close_resolved_tickets(self, limit=1000):
        """Close, in batches, the tickets still open on resolved incidents."""
        incidents = self.search(
            [("state", "=", "resolved"), ("ticket_ids.closed", "=", False)]
        )
        done = remaining = 0
        for incident in incidents:
            closed, left = incident._resolve_linked_tickets(limit)
            done += closed
            remaining += left
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

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("incident_id", "=", self.id)]
        action["context"] = {"default_incident_id": self.id}
        return action

    def action_view_notifications(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_helpdesk_sla.telecom_incident_notification_action"
        )
        action["domain"] = [("incident_id", "=", self.id)]
        return action
