from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# 152-FZ art. 21 part 3.1: the regulator (Roskomnadzor) is told of an unlawful
# transfer or leak within 24 hours of its detection, and of the results of the
# internal investigation within 72 hours
NOTIFY_HOURS = 24
REPORT_HOURS = 72
# written by the transitions only (see write)
TRANSITION_FIELDS = (
    "state",
    "notified_at",
    "reported_at",
    "closed_at",
    "notify_deadline",
    "report_deadline",
    "notify_overdue",
    "report_overdue",
    "notified_late",
    "reported_late",
)


class TelecomPdIncident(models.Model):
    """A personal-data incident (инцидент с ПДн) and its legal notification clocks."""

    _name = "telecom.pd.incident"
    _description = "Personal Data Incident"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "detected_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    detected_at = fields.Datetime(
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="The clocks of 152-FZ art. 21 part 3.1 run from this moment.",
    )
    description = fields.Text(required=True, help="What happened, how it was found.")
    data_categories = fields.Char(
        help="Categories of personal data involved (e.g. identity documents, "
        "phone numbers, call records).",
    )
    subject_categories = fields.Char(help="Whose data: subscribers, employees...")
    subject_count = fields.Integer(
        string="Subjects Affected", tracking=True, help="Number of data subjects."
    )
    cause = fields.Text(string="Presumed Cause")
    harm = fields.Text(string="Presumed Harm")
    measures = fields.Text(string="Measures Taken")
    investigation_results = fields.Text()
    authority_reference = fields.Char(
        string="Regulator Reference",
        tracking=True,
        help="Number given by Roskomnadzor to the notification.",
    )
    state = fields.Selection(
        [
            ("detected", "Detected"),
            ("notified", "Regulator Notified"),
            ("reported", "Results Reported"),
            ("closed", "Closed"),
        ],
        string="Status",
        default="detected",
        required=True,
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    notify_deadline = fields.Datetime(
        string="Notify Regulator By",
        compute="_compute_deadlines",
        store=True,
        index=True,
        help="24 hours after the detection.",
    )
    report_deadline = fields.Datetime(
        string="Report Results By",
        compute="_compute_deadlines",
        store=True,
        index=True,
        help="72 hours after the detection.",
    )
    notified_at = fields.Datetime(readonly=True, copy=False, tracking=True)
    reported_at = fields.Datetime(readonly=True, copy=False, tracking=True)
    closed_at = fields.Datetime(readonly=True, copy=False)
    notify_overdue = fields.Boolean(
        string="Notification Overdue", readonly=True, copy=False, index=True
    )
    report_overdue = fields.Boolean(readonly=True, copy=False, index=True)
    notified_late = fields.Boolean(compute="_compute_late", store=True)
    reported_late = fields.Boolean(compute="_compute_late", store=True)

    _sql_constraints = [
        (
            "subject_count_positive",
            "CHECK(subject_count >= 0)",
            "The number of subjects affected cannot be negative.",
        ),
    ]

    @api.depends("detected_at")
    def _compute_deadlines(self):
        for incident in self:
            detected = incident.detected_at
            incident.notify_deadline = detected and detected + timedelta(
                hours=NOTIFY_HOURS
            )
            incident.report_deadline = detected and detected + timedelta(
                hours=REPORT_HOURS
            )

    @api.depends("notified_at", "reported_at", "notify_deadline", "report_deadline")
    def _compute_late(self):
        for incident in self:
            incident.notified_late = bool(
                incident.notified_at and incident.notified_at > incident.notify_deadline
            )
            incident.reported_late = bool(
                incident.reported_at and incident.reported_at > incident.report_deadline
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(
            vals.get(name) and (name != "state" or vals[name] != "detected")
            for vals in vals_list
            for name in TRANSITION_FIELDS
        ):
            raise AccessError(self.env._("An incident starts as detected."))
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.pd.incident") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and set(TRANSITION_FIELDS) & set(vals):
            raise AccessError(
                self.env._(
                    "The status of an incident changes through its buttons only."
                )
            )
        if "detected_at" in vals and any(i.state != "detected" for i in self):
            raise UserError(
                self.env._(
                    "The detection time cannot change once the regulator is notified."
                )
            )
        return super().write(vals)

    def action_notify_authority(self):
        """Record the notification of Roskomnadzor (art. 21 part 3.1 item 1)."""
        self._check_state(("detected",), self.env._("The regulator is notified once."))
        if any(not incident.authority_reference for incident in self):
            raise UserError(
                self.env._("Enter the reference Roskomnadzor gave to the notification.")
            )
        self._transition({"state": "notified", "notified_at": fields.Datetime.now()})
        return True

    def action_report_results(self):
        """Record the report of the investigation (art. 21 part 3.1 item 2)."""
        self._check_state(
            ("notified",),
            self.env._("Notify the regulator before reporting the investigation."),
        )
        if any(not incident.investigation_results for incident in self):
            raise UserError(self.env._("Describe the results of the investigation."))
        self._transition({"state": "reported", "reported_at": fields.Datetime.now()})
        return True

    def action_close(self):
        self._check_state(
            ("reported",), self.env._("Report the investigation before closing.")
        )
        self._transition({"state": "closed", "closed_at": fields.Datetime.now()})
        return True

    def _check_state(self, allowed_states, message):
        if any(incident.state not in allowed_states for incident in self):
            raise UserError(message)

    def _transition(self, vals):
        self.check_access("write")
        # sudo: the transition fields are written here only (see write); the
        # caller's right to write these incidents and to make this move was checked
        self.sudo().write(vals)

    # ------------------------------------------------------------------
    # clocks (cron)
    # ------------------------------------------------------------------
    @api.model
    def _get_notify_overdue_domain(self, now):
        return [
            ("state", "=", "detected"),
            ("notify_deadline", "<", now),
            ("notify_overdue", "=", False),
        ]

    @api.model
    def _get_report_overdue_domain(self, now):
        return [
            ("state", "in", ("detected", "notified")),
            ("report_deadline", "<", now),
            ("report_overdue", "=", False),
        ]

    @api.model
    def _cron_flag_overdue(self, now=None):
        """Flag the incidents whose 24 h or 72 h clock ran out, in their chatter."""
        now = now or fields.Datetime.now()
        late_notice = self.search(self._get_notify_overdue_domain(now))
        late_notice.write({"notify_overdue": True})
        late_notice._message_log_batch(
            bodies=dict.fromkeys(
                late_notice.ids,
                self.env._(
                    "The 24-hour notification of Roskomnadzor is overdue "
                    "(152-FZ art. 21 part 3.1)."
                ),
            )
        )
        late_report = self.search(self._get_report_overdue_domain(now))
        late_report.write({"report_overdue": True})
        late_report._message_log_batch(
            bodies=dict.fromkeys(
                late_report.ids,
                self.env._(
                    "The 72-hour report of the investigation results is overdue "
                    "(152-FZ art. 21 part 3.1)."
                ),
            )
        )
        return len(late_notice | late_report)
