from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.telecom_subscriber.tools.selections import (
    ACCESS_TECHNOLOGIES,
    SERVICE_TYPES,
)

from .sla_selections import (
    ACTIVE_INCIDENT_STATES,
    INCIDENT_SEVERITIES,
    INCIDENT_STATES,
)

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

    The model is split by concern: fields, transitions and actions here, the
    affected subscribers and their notifications in
    ``telecom_incident_audience.py``, the linked tickets and the impact in
    ``telecom_incident_ticket.py``.
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
        self.check_access("write")
        self._check_transition("identify")
        self.write({"state": "identified"})
        self._emit("incident.identified")
        return True

    def action_monitor(self):
        self.check_access("write")
        self._check_transition("monitor")
        self.write({"state": "monitoring"})
        self._emit("incident.monitoring")
        return True

    def action_resolve(self):
        """Resolve: notify the subscribers, resolve the linked tickets, resume
        the clocks the incident had stopped."""
        self.check_access("write")
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
        self._emit_to_subscribers("incident.subscriber_resolved")
        self._queue_notifications("resolved")
        _done, remaining = self._resolve_linked_tickets()
        if remaining:
            self.env.ref(
                "telecom_helpdesk_sla.ir_cron_telecom_incident_close_tickets"
            )._trigger()
        return True

    def action_cancel(self):
        """A false alarm: no notification; linked tickets resume their clocks."""
        self.check_access("write")
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
