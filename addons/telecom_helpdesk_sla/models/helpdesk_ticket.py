from odoo import api, fields, models
from odoo.tools import SQL

from .sla_selections import (
    IMPACTS,
    SATISFACTION,
    TICKET_SLA_STATUSES,
    URGENCIES,
)

# tickets whose stage change sends no e-mail (cursor's precommit data)
NO_STAGE_MAIL_KEY = "telecom_helpdesk_sla.no_stage_mail"
# tickets whose SLA status the running scan refreshes once at its end
DEFERRED_SUMMARY_KEY = "telecom_helpdesk_sla.deferred_summary"
# a change of these fields may change the ticket's SLA policy
POLICY_TRIGGERS = {
    "priority",
    "telecom_impact",
    "telecom_urgency",
    "category_id",
    "channel_id",
    "team_id",
    "partner_id",
    "company_id",
}


class HelpdeskTicket(models.Model):
    """A ticket of OCA helpdesk_mgmt, linked to the subscriber's world and
    driven by the SLA engine (``telecom.sla.line``), routing and incidents.

    The model is split by concern: fields and CRUD here, the SLA clocks in
    ``helpdesk_ticket_sla.py``, the timeline in ``helpdesk_ticket_timeline.py``
    and the explanation of the deadlines in ``helpdesk_ticket_sla_explain.py``.
    """

    _inherit = "helpdesk.ticket"

    # links to the subscriber
    telecom_service_id = fields.Many2one(
        "telecom.service",
        string="Service",
        index="btree_not_null",
        ondelete="set null",
        domain="[('partner_id', 'child_of', commercial_partner_id)]",
    )
    telecom_account_id = fields.Many2one(
        "telecom.account",
        string="Account",
        compute="_compute_telecom_account_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        ondelete="set null",
    )
    telecom_region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        compute="_compute_telecom_region_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        help="Zone of responsibility the ticket belongs to: the service's, else the "
        "account's, else the subscriber's.",
    )
    telecom_segment = fields.Selection(
        related="partner_id.commercial_partner_id.telecom_segment",
        string="Segment",
        store=True,
    )
    telecom_service_type = fields.Selection(
        related="telecom_service_id.service_type", string="Service Type", store=True
    )
    telecom_access_technology = fields.Selection(
        related="telecom_service_id.access_technology",
        string="Access Technology",
        store=True,
    )
    # priority from the impact × urgency matrix
    telecom_impact = fields.Selection(IMPACTS, string="Impact", tracking=True)
    telecom_urgency = fields.Selection(URGENCIES, string="Urgency", tracking=True)
    priority = fields.Selection(
        compute="_compute_priority",
        store=True,
        readonly=False,
        precompute=True,
        default=None,
        tracking=True,
    )
    # SLA
    telecom_sla_start_date = fields.Datetime(
        string="SLA Clock Start", readonly=True, copy=False
    )
    sla_policy_id = fields.Many2one(
        "telecom.sla.policy",
        string="SLA Policy",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    sla_line_ids = fields.One2many(
        "telecom.sla.line", "ticket_id", string="SLA Targets", copy=False
    )
    sla_event_ids = fields.One2many(
        "telecom.sla.event", "ticket_id", string="SLA Journal", copy=False
    )
    sla_status = fields.Selection(
        TICKET_SLA_STATUSES,
        string="SLA Status",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    sla_deadline = fields.Datetime(
        string="SLA Deadline",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Nearest deadline among the running SLA targets.",
    )
    sla_explanation = fields.Html(
        string="How the Deadlines Were Computed",
        compute="_compute_sla_explanation",
        sanitize=False,
    )
    telecom_first_response_date = fields.Datetime(
        string="First Response", readonly=True, copy=False
    )
    # escalation
    telecom_escalation_level = fields.Integer(
        string="Escalation Level", readonly=True, copy=False, default=0, tracking=True
    )
    telecom_escalation_firing_ids = fields.One2many(
        "telecom.escalation.firing", "ticket_id", string="Escalations", copy=False
    )
    # incidents and satisfaction
    incident_id = fields.Many2one(
        "telecom.incident",
        string="Mass Incident",
        index="btree_not_null",
        ondelete="set null",
        tracking=True,
        copy=False,
    )
    # not tracked on the ticket (they would inherit the incident's tracking):
    # the link itself is tracked
    incident_state = fields.Selection(related="incident_id.state", tracking=False)
    incident_public_message = fields.Text(
        related="incident_id.public_message", tracking=False
    )
    telecom_satisfaction = fields.Selection(
        SATISFACTION,
        string="Satisfaction",
        help="The subscriber's rating, captured when the ticket is closed.",
    )

    @api.depends("telecom_service_id")
    def _compute_telecom_account_id(self):
        for ticket in self:
            if ticket.telecom_service_id:
                ticket.telecom_account_id = ticket.telecom_service_id.account_id

    @api.depends("telecom_service_id", "telecom_account_id", "partner_id")
    def _compute_telecom_region_id(self):
        for ticket in self:
            ticket.telecom_region_id = (
                ticket.telecom_service_id.region_id
                or ticket.telecom_account_id.region_id
                or ticket.partner_id.telecom_region_id
                or ticket.partner_id.commercial_partner_id.telecom_region_id
                or ticket.telecom_region_id
            )

    @api.depends("telecom_impact", "telecom_urgency")
    def _compute_priority(self):
        matrix = None
        for ticket in self:
            if ticket.telecom_impact and ticket.telecom_urgency:
                if matrix is None:
                    matrix = self.env["telecom.priority.matrix"]._get_matrix()
                key = (ticket.telecom_impact, ticket.telecom_urgency)
                ticket.priority = matrix.get(key, ticket.priority or "1")
            elif not ticket.priority:
                ticket.priority = "1"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._telecom_prepare_create_vals(vals_list)
        unstaffed = self.env["telecom.routing.rule"]._route(vals_list)
        self._telecom_prefill_stages(vals_list)
        tickets = super().create(vals_list)
        tickets._telecom_after_create(unstaffed)
        return tickets

    def write(self, vals):
        if "stage_id" in vals and self.env.context.get("telecom_sla_no_stage_mail"):
            # read by _track_template at commit, whatever the context then
            self.env.cr.precommit.data.setdefault(NO_STAGE_MAIL_KEY, set()).update(
                self.ids
            )
        was_closed = (
            {ticket.id: ticket.closed for ticket in self} if "stage_id" in vals else {}
        )
        result = super().write(vals)
        if self and not self.env.context.get("telecom_sla_skip"):
            self._telecom_after_write(vals, was_closed)
        return result

    def _track_template(self, changes):
        """No stage e-mail for the tickets a mass incident resolves: their
        subscribers are told by the incident's notification."""
        result = super()._track_template(changes)
        if self[:1].id in self.env.cr.precommit.data.get(NO_STAGE_MAIL_KEY, ()):
            result.pop("stage_id", None)
        return result

    def _telecom_prepare_create_vals(self, vals_list):
        """Numbers drawn in one query per company; the SLA clock start."""
        now = fields.Datetime.now()
        pending = {}
        for vals in vals_list:
            vals.setdefault("telecom_sla_start_date", now)
            if vals.get("number", "/") == "/":
                company_id = vals.get("company_id") or self.env.company.id
                pending.setdefault(company_id, []).append(vals)
        for company_id, company_vals in pending.items():
            numbers = self._telecom_draw_numbers(company_id, len(company_vals))
            for vals, number in zip(company_vals, numbers, strict=False):
                vals["number"] = number

    def _telecom_draw_numbers(self, company_id, count):
        """``count`` ticket numbers: one nextval query for a standard sequence
        (helpdesk_mgmt draws them one by one)."""
        sequence = (
            self.env["ir.sequence"]
            .with_company(company_id)
            .search(
                [
                    ("code", "=", "helpdesk.ticket.sequence"),
                    ("company_id", "in", [company_id, False]),
                ],
                order="company_id",
                limit=1,
            )
        )
        if not sequence or sequence.implementation != "standard":
            return []  # helpdesk_mgmt numbers the rest
        if sequence.use_date_range:
            return []
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        return [sequence.get_next_char(row[0]) for row in self.env.cr.fetchall()]

    def _telecom_prefill_stages(self, vals_list):
        """The first stage of each team, searched once per team (helpdesk_mgmt
        searches it for every ticket)."""
        todo = [vals for vals in vals_list if "stage_id" not in vals]
        if not todo:
            return
        teams = self.env["helpdesk.ticket.team"].browse(
            {vals.get("team_id") or False for vals in todo} - {False}
        )
        first_stage = {team.id: team._get_applicable_stages()[:1].id for team in teams}
        if any(not vals.get("team_id") for vals in todo):
            first_stage[False] = (
                self.env["helpdesk.ticket.team"]._get_applicable_stages()[:1].id
            )
        for vals in todo:
            vals["stage_id"] = first_stage[vals.get("team_id") or False]

    def _telecom_after_create(self, unstaffed=()):
        now = fields.Datetime.now()
        self.env["telecom.incident"]._auto_link(self)
        self._sla_apply_policies(now)
        self._telecom_emit("ticket.created")
        if unstaffed:
            self.env["telecom.routing.rule"]._notify_unstaffed(
                self.browse([self.ids[index] for index in unstaffed])
            )

    def _telecom_after_write(self, vals, was_closed):
        now = fields.Datetime.now()
        Line = self.env["telecom.sla.line"]
        touched = False
        if "stage_id" in vals:
            closed = self.filtered(lambda t: t.closed and not was_closed.get(t.id))
            reopened = self.filtered(lambda t: not t.closed and was_closed.get(t.id))
            if closed:
                Line._stop(closed.ids, now)
                closed._telecom_emit("ticket.closed")
            if reopened:
                Line._reopen(reopened.ids, now)
            touched = True
        if POLICY_TRIGGERS & set(vals):
            self._sla_apply_policies(now, sync_summary=False)
            touched = True
        if {"stage_id", "incident_id"} & set(vals):
            self._sla_sync_pause(now)
            touched = True
        if touched:
            self._telecom_sync_summary()

    def _telecom_sync_summary(self):
        """The tickets' SLA status now, or once at the end of a scan (context
        ``telecom_sla_defer_summary``: see :meth:`_telecom_deferred_summary`)."""
        if self.env.context.get("telecom_sla_defer_summary"):
            data = self.env.cr.precommit.data
            data.setdefault(DEFERRED_SUMMARY_KEY, set()).update(self.ids)
        else:
            self.env["telecom.sla.line"]._sync_ticket_summary(self.ids)

    @api.model
    def _telecom_deferred_summary(self):
        """Ids of the tickets whose SLA status a write deferred (emptied)."""
        return self.env.cr.precommit.data.pop(DEFERRED_SUMMARY_KEY, set())

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_sla_explain(self):
        """Open the explanation of the deadlines in a dialog."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("How the SLA deadlines were computed"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [
                (
                    self.env.ref(
                        "telecom_helpdesk_sla.helpdesk_ticket_view_form_sla_explain"
                    ).id,
                    "form",
                )
            ],
            "target": "new",
        }

    def action_telecom_link_incident(self):
        """Open the wizard linking the selected tickets to an incident."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Link to a Mass Incident"),
            "res_model": "telecom.incident.link",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_ids": self.ids},
        }
