from bisect import bisect_right
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

PERSONAL_DATA_GROUP = "telecom_subscriber.telecom_subscriber_group_personal_data"
AGENT_GROUP = "telecom_subscriber.telecom_subscriber_group_user"

SUBJECT_REQUEST_TYPES = [
    ("access", "Access (Copy of My Data)"),
    ("correction", "Correction"),
    ("erasure", "Erasure"),
]
SUBJECT_REQUEST_STATES = [
    ("received", "Received"),
    ("in_progress", "Under Review"),
    ("done", "Answered"),
    ("refused", "Refused"),
    ("cancelled", "Cancelled"),
]
CLOSED_STATES = ("done", "refused", "cancelled")
DEADLINE_STATES = [
    ("on_time", "On Time"),
    ("due_soon", "Due Soon"),
    ("overdue", "Overdue"),
]
# 152-FZ art. 14 part 3 and art. 20: an answer within 10 working days from the
# receipt of the request, extendable once by 5 working days with a reasoned notice
ANSWER_WORKING_DAYS = 10
EXTENSION_WORKING_DAYS = 5
DUE_SOON_DAYS = 2
# written by the transitions only (see write)
TRANSITION_FIELDS = (
    "state",
    "deadline_initial",
    "deadline",
    "deadline_state",
    "is_extended",
    "date_extended",
    "date_answered",
    "answered_late",
    "answered_by_id",
    "export_file",
    "export_filename",
)
# what a subscriber may fill in from the portal
PORTAL_FIELDS = (
    "request_type",
    "description",
    "correction_field",
    "correction_value",
    "partner_id",
    "channel",
)


class TelecomSubjectRequest(models.Model):
    """A personal-data subject request (запрос субъекта ПДн) under 152-FZ.

    Access (an export of everything the operator holds on the subscriber),
    correction of a field or erasure where the law allows it, each answered
    within its legal deadline in working days. The answers live in
    ``telecom_subject_request_export.py`` (access, erasure) and
    ``telecom_subject_request_correction.py`` (correction).
    """

    _name = "telecom.subject.request"
    _description = "Personal Data Subject Request"
    _inherit = [
        "telecom.personal.data.mixin",
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "deadline, id desc"
    _check_company_auto = True
    _telecom_personal_fields = ("description", "correction_value")
    # the processing register (152-FZ): see telecom.personal.data.mixin
    _telecom_personal_data_defaults = {"purpose": "support", "legal_basis": "law"}
    _telecom_personal_data = {
        "description": {"category": "interaction"},
        "correction_value": {"category": "other"},
    }

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/"
    )
    request_type = fields.Selection(
        SUBJECT_REQUEST_TYPES, string="Type", required=True, tracking=True
    )
    state = fields.Selection(
        SUBJECT_REQUEST_STATES,
        string="Status",
        required=True,
        default="received",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    is_closed = fields.Boolean(compute="_compute_is_closed", store=True, index=True)
    channel = fields.Selection(
        [
            ("front_office", "Front Office"),
            ("portal", "Customer Portal"),
            ("mail", "Letter or E-mail"),
        ],
        required=True,
        default="front_office",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        index=True,
        ondelete="restrict",
        tracking=True,
    )
    region_id = fields.Many2one(
        related="partner_id.telecom_region_id", store=True, index=True, string="Zone"
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        tracking=True,
        index="btree_not_null",
        domain=lambda self: [("groups_id", "in", self.env.ref(PERSONAL_DATA_GROUP).id)],
    )
    description = fields.Text(help="The request in the subscriber's words.")
    date_received = fields.Date(
        string="Received On",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="The legal deadline runs from this day.",
    )
    deadline_initial = fields.Date(
        string="Legal Deadline",
        compute="_compute_deadlines",
        store=True,
        help="10 working days after the receipt (152-FZ art. 14, 20).",
    )
    deadline = fields.Date(
        compute="_compute_deadlines",
        store=True,
        index=True,
        tracking=True,
        help="The legal deadline, or the extended one (5 more working days).",
    )
    deadline_state = fields.Selection(
        DEADLINE_STATES,
        compute="_compute_deadline_state",
        store=True,
        index=True,
        help="Refreshed every day by a scheduled action.",
    )
    is_extended = fields.Boolean(string="Extended", readonly=True, copy=False)
    date_extended = fields.Datetime(string="Extended On", readonly=True, copy=False)
    extension_reason = fields.Text(
        help="The reasons given to the subscriber for the extension (required)."
    )
    refusal_reason = fields.Text(
        help="Why the request is refused; sent to the subscriber."
    )
    date_answered = fields.Datetime(string="Answered On", readonly=True, copy=False)
    answered_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    answered_late = fields.Boolean(readonly=True, copy=False)
    correction_field = fields.Selection(
        selection="_selection_correction_field",
        string="Field to Correct",
    )
    correction_value = fields.Char(string="Correct Value")
    export_file = fields.Binary(
        string="Data Export (JSON)",
        attachment=True,
        readonly=True,
        copy=False,
        groups=PERSONAL_DATA_GROUP,
    )
    export_filename = fields.Char(readonly=True, copy=False)

    @api.depends("state")
    def _compute_is_closed(self):
        for subject_request in self:
            subject_request.is_closed = subject_request.state in CLOSED_STATES

    @api.depends("date_received", "company_id", "is_extended")
    def _compute_deadlines(self):
        """One read of each company's working calendar for all the requests."""
        for company, requests in self.grouped("company_id").items():
            received = [r.date_received for r in requests if r.date_received]
            initial = self._add_working_days(company, received, ANSWER_WORKING_DAYS)
            extended = self._add_working_days(
                company, list(initial.values()), EXTENSION_WORKING_DAYS
            )
            for subject_request in requests:
                first = initial.get(subject_request.date_received, False)
                subject_request.deadline_initial = first
                subject_request.deadline = (
                    extended[first] if first and subject_request.is_extended else first
                )

    @api.depends("deadline")
    def _compute_deadline_state(self):
        # a closed request keeps the state it was answered in: the daily cron
        # refreshes the open ones only
        today = fields.Date.context_today(self)
        for subject_request in self:
            subject_request.deadline_state = self._deadline_state_of(
                subject_request.deadline, today
            )

    @api.model
    def _deadline_state_of(self, deadline, today):
        if not deadline:
            return False
        if deadline < today:
            return "overdue"
        if (deadline - today).days <= DUE_SOON_DAYS:
            return "due_soon"
        return "on_time"

    @api.model
    def _selection_correction_field(self):
        """The subscriber's registered personal fields a subject may ask to
        correct (texts and dates; a choice is corrected by an agent)."""
        Partner = self.env["res.partner"]
        return [
            (name, Partner._fields[name]._description_string(self.env))
            for name in Partner._telecom_personal_declarations()
            if Partner._fields[name].type in ("char", "date", "text")
        ]

    # ------------------------------------------------------------------
    # working days
    # ------------------------------------------------------------------
    @api.model
    def _add_working_days(self, company, dates, days):
        """{date: the ``days``-th working day after it} for every date of ``dates``.

        The day of receipt does not count (the term starts the day after);
        working days are those of the company's working calendar (its weekends
        and public holidays), Monday to Friday when the company has none.
        """
        if not dates:
            return {}
        first, last = min(dates), max(dates)
        span = days * 2 + 14
        while True:
            working = self._working_dates(
                company, first + timedelta(days=1), last + timedelta(days=span)
            )
            result = {}
            for day in set(dates):
                position = bisect_right(working, day) + days - 1
                if position >= len(working):
                    break
                result[day] = working[position]
            else:
                return result
            span *= 2

    @api.model
    def _working_dates(self, company, date_from, date_to):
        """Sorted working dates from ``date_from`` to ``date_to`` (included)."""
        # sudo: the company's working calendar and holidays are not personal data;
        # portal subscribers filing a request cannot read them
        calendar = company.sudo().resource_calendar_id
        if not calendar:
            return [
                date_from + timedelta(days=offset)
                for offset in range((date_to - date_from).days + 1)
                if (date_from + timedelta(days=offset)).weekday() < 5
            ]
        tz = pytz.timezone(calendar.tz or "UTC")
        start = tz.localize(datetime.combine(date_from, time.min))
        stop = tz.localize(datetime.combine(date_to, time.max))
        intervals = calendar._work_intervals_batch(start, stop, tz=tz)[False]
        return sorted({interval_start.date() for interval_start, _end, _x in intervals})

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_create_vals(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                # sudo: portal subscribers file requests and cannot read sequences
                vals["name"] = (
                    self.env["ir.sequence"]
                    .sudo()
                    .next_by_code("telecom.subject.request")
                    or "/"
                )
        subject_requests = super().create(vals_list)
        subject_requests._journal_on_timeline(
            self.env._("Personal data request received"), "inbound"
        )
        return subject_requests

    def _check_create_vals(self, vals_list):
        if any(
            vals.get(name) and (name != "state" or vals[name] != "received")
            for vals in vals_list
            for name in TRANSITION_FIELDS
        ):
            raise AccessError(self.env._("A subject request starts as received."))
        if self.env.user.has_group(AGENT_GROUP):
            return
        # a subscriber files their own requests, today, with what the form asks
        partner = self.env.user.partner_id
        for vals in vals_list:
            if set(vals) - set(PORTAL_FIELDS) or vals.get("partner_id") not in (
                None,
                partner.id,
            ):
                raise AccessError(
                    self.env._("You can only file your own personal data requests.")
                )
            vals.update({"partner_id": partner.id, "channel": "portal"})

    def write(self, vals):
        if not self.env.su and set(TRANSITION_FIELDS) & set(vals):
            raise AccessError(
                self.env._(
                    "The status of a personal data request changes through its "
                    "buttons only."
                )
            )
        return super().write(vals)

    def _compute_access_url(self):
        for subject_request in self:
            subject_request.access_url = f"/my/pd-requests/{subject_request.id}"

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_start_review(self):
        self._check_personal_data_officer()
        self._check_state(
            ("received",), self.env._("Only a received request can be reviewed.")
        )
        for subject_request in self:
            vals = {"state": "in_progress"}
            if not subject_request.user_id:
                vals["user_id"] = self.env.uid
            subject_request._transition(vals)
        return True

    def action_extend(self):
        """Extend the deadline once by 5 working days, telling the subscriber why."""
        self._check_personal_data_officer()
        self._check_state(
            ("received", "in_progress"),
            self.env._("Only an open request can be extended."),
        )
        if any(subject_request.is_extended for subject_request in self):
            raise UserError(
                self.env._("The deadline of a request can be extended once only.")
            )
        if any(not (r.extension_reason or "").strip() for r in self):
            raise UserError(
                self.env._(
                    "Give the reasons for the extension: they are sent to the "
                    "subscriber."
                )
            )
        self._transition({"is_extended": True, "date_extended": fields.Datetime.now()})
        for subject_request in self:
            subject_request._notify_subscriber(
                self.env._(
                    "The answer to your request %(name)s is extended until "
                    "%(deadline)s. Reasons: %(reasons)s",
                    name=subject_request.name,
                    deadline=subject_request.deadline,
                    reasons=subject_request.extension_reason,
                )
            )
        return True

    def action_refuse(self):
        self._check_personal_data_officer()
        self._check_state(
            ("received", "in_progress"),
            self.env._("Only an open request can be refused."),
        )
        if any(not (r.refusal_reason or "").strip() for r in self):
            raise UserError(
                self.env._(
                    "Give the reason for the refusal: it is sent to the subscriber."
                )
            )
        self._answer("refused")
        return True

    def action_cancel(self):
        """The subscriber withdrew the request."""
        self._check_state(
            ("received", "in_progress"),
            self.env._("Only an open request can be cancelled."),
        )
        self.check_access("write")
        self._transition({"state": "cancelled"})
        return True

    # ------------------------------------------------------------------
    # portal
    # ------------------------------------------------------------------
    @api.model
    def _portal_request_types(self):
        return self._fields["request_type"]._description_selection(self.env)

    @api.model
    def _portal_create(self, form_values):
        """File a request of the portal user, from the raw values of the form.

        Runs with the user's rights: the portal rule keeps them to their own
        requests and ``create`` to the fields of the form.
        """
        request_type = form_values.get("request_type")
        if request_type not in dict(SUBJECT_REQUEST_TYPES):
            raise UserError(self.env._("Choose what you ask for."))
        vals = {
            "request_type": request_type,
            "description": (form_values.get("description") or "").strip(),
            "partner_id": self.env.user.partner_id.id,
            "channel": "portal",
        }
        if request_type == "correction":
            field_name = form_values.get("correction_field")
            value = (form_values.get("correction_value") or "").strip()
            if field_name not in dict(self._selection_correction_field()) or not value:
                raise UserError(
                    self.env._("Say which detail is wrong and give the correct value.")
                )
            vals.update({"correction_field": field_name, "correction_value": value})
        return self.create(vals)

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    def _check_personal_data_officer(self):
        if not self.env.su and not self.env.user.has_group(PERSONAL_DATA_GROUP):
            raise AccessError(
                self.env._(
                    "Only a user with personal data access answers personal data "
                    "requests."
                )
            )

    def _check_state(self, allowed_states, message):
        if any(r.state not in allowed_states for r in self):
            raise UserError(message)

    def _check_type(self, request_type, message):
        if any(r.request_type != request_type for r in self):
            raise UserError(message)

    def _transition(self, vals):
        self.check_access("write")
        # sudo: the transition fields are written here only (see write); the
        # caller's right to write these requests and to make this move was checked
        self.sudo().write(vals)

    def _answer(self, state, extra_vals=None):
        """Close the requests as ``state``, recording who answered, when, and
        whether the legal deadline was missed; tell the subscriber."""
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        for subject_request in self:
            subject_request._transition(
                {
                    "state": state,
                    "date_answered": now,
                    "answered_by_id": self.env.uid,
                    "answered_late": bool(
                        subject_request.deadline and subject_request.deadline < today
                    ),
                    **(extra_vals or {}),
                }
            )
            subject_request._notify_subscriber(subject_request._answer_message())
        self._journal_on_timeline(
            self.env._("Personal data request answered"), "outbound"
        )

    def _answer_message(self):
        self.ensure_one()
        if self.state == "refused":
            return self.env._(
                "Your request %(name)s is refused. Reason: %(reason)s",
                name=self.name,
                reason=self.refusal_reason,
            )
        return self.env._("Your request %(name)s is answered.", name=self.name)

    def _notify_subscriber(self, body):
        """A message on the request, sent to the subscriber (the portal shows it)."""
        self.ensure_one()
        if "telecom_erased_subject_address" in self.env.context:
            self._notify_erased_subject(
                body, self.env.context["telecom_erased_subject_address"]
            )
            return
        # sudo: the subscriber may not be a follower the agent can add; the
        # message is the legal notice of this request to its own subject
        self.sudo().message_post(
            body=body,
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    def _notify_erased_subject(self, body, address):
        """The answer of an erasure, once the subject's data is gone: a note on
        the request, and one e-mail to the address they had (their partner has
        none any more, a notification to it would fail)."""
        # sudo: as in _notify_subscriber, the legal notice of the request
        self.sudo().message_post(
            body=body, message_type="comment", subtype_xmlid="mail.mt_note"
        )
        if address:
            # sudo: agents do not create outgoing mails themselves
            self.env["mail.mail"].sudo().create(
                {
                    "email_to": address,
                    "subject": self.name,
                    "body_html": body,
                    "model": self._name,
                    "res_id": self.id,
                    "auto_delete": True,
                }
            )

    def _journal_on_timeline(self, summary, direction):
        """One timeline row per request, written with the request."""
        # sudo: portal subscribers cannot write the timeline; the rows describe
        # these requests, created or answered by the caller
        self.env["telecom.interaction"].sudo().create(
            [
                {
                    "partner_id": subject_request.partner_id.id,
                    "channel": "portal"
                    if subject_request.channel == "portal"
                    else "system",
                    "direction": direction,
                    "agent_id": self.env.user.has_group(AGENT_GROUP) and self.env.uid,
                    "summary": f"{summary}: {subject_request.name}",
                    "res_model": self._name,
                    "res_id": subject_request.id,
                    "company_id": subject_request.company_id.id,
                }
                for subject_request in self
            ]
        )

    # ------------------------------------------------------------------
    # deadlines (cron)
    # ------------------------------------------------------------------
    @api.model
    def _get_deadline_refresh_domain(self):
        """Open requests whose deadline state the daily cron refreshes."""
        return [("is_closed", "=", False), ("deadline", "!=", False)]

    @api.model
    def _cron_refresh_deadlines(self, today=None):
        """Refresh the deadline states; flag the newly overdue requests in their
        chatter and give their responsible an activity."""
        today = today or fields.Date.context_today(self)
        open_requests = self.search(self._get_deadline_refresh_domain())
        by_state = open_requests.grouped(
            lambda r: self._deadline_state_of(r.deadline, today)
        )
        for deadline_state, requests in by_state.items():
            changed = requests.filtered(
                lambda r, s=deadline_state: r.deadline_state != s
            )
            if changed:
                changed.write({"deadline_state": deadline_state})
            if deadline_state == "overdue" and changed:
                changed._flag_overdue()
        return len(open_requests)

    def _flag_overdue(self):
        self._message_log_batch(
            bodies={
                subject_request.id: self.env._(
                    "The legal deadline (%(deadline)s) of this request has passed.",
                    deadline=subject_request.deadline,
                )
                for subject_request in self
            }
        )
        for subject_request in self.filtered("user_id"):
            subject_request.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=fields.Date.context_today(self),
                summary=self.env._("Overdue personal data request"),
                user_id=subject_request.user_id.id,
            )
