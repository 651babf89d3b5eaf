from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.selections import CHANNELS

REQUEST_TYPES = [
    ("activation", "Activation"),
    ("port_in", "Number Port-In"),
    ("port_out", "Number Port-Out"),
    ("tariff_change", "Tariff Change"),
    ("option_change", "Option Change"),
    ("block", "Temporary Block"),
    ("unblock", "Unblock"),
    ("sim_swap", "SIM Replacement"),
    ("termination", "Termination"),
    ("claim", "Claim"),
]

REQUEST_STATES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("validated", "Validated"),
    ("scheduled", "Scheduled"),
    ("done", "Done"),
    ("rejected", "Rejected"),
    ("cancelled", "Cancelled"),
]

CLOSED_STATES = ("done", "rejected", "cancelled")

FULFILMENT_STATUSES = [
    ("none", "None"),
    ("waiting", "Waiting for Fulfilment"),
    ("failed", "Fulfilment Failed"),
]

# state -> states it may move to; request types override with _get_transitions()
DEFAULT_TRANSITIONS = {
    "draft": ("submitted", "cancelled"),
    "submitted": ("scheduled", "done", "rejected", "cancelled"),
    "scheduled": ("done", "cancelled"),
}


class TelecomRequest(models.Model):
    """A lifecycle process instance with an explicit state machine.

    Every transition is checked against the type's transition map, journaled
    (``telecom.event`` row + timeline interaction) in the same transaction, and
    runs the type's hooks: ``_check_<state>_<type>`` before the move,
    ``_on_<state>_<type>`` right after it (the service changes in
    ``_on_done_<type>``), then the journal, then ``_after_<state>_<type>`` for
    follow-up requests, so the journal keeps the order of the facts.
    Each request type lives in its own file (``telecom_request_<type>.py``).

    Extension points for integrations (other addons override only these, never
    ``_transition``): the guards (``_check_transition_guards``) always run first;
    ``_get_external_fulfilment_requests`` says which requests an external system
    must fulfil before they are done, ``_request_external_fulfilment`` asks it
    (the requests wait, ``fulfilment_status`` says so),
    ``_complete_after_fulfilment`` completes them once it did,
    ``_cancel_external_fulfilment`` withdraws the demand of a request closed
    meanwhile; ``_get_due_requests_domain`` selects what the scheduled-request
    cron completes.
    """

    _name = "telecom.request"
    _description = "Subscriber Request"
    _inherit = ["telecom.tracking.batch.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Number",
        required=True,
        readonly=True,
        copy=False,
        default="/",
        index="trigram",
    )
    request_type = fields.Selection(
        REQUEST_TYPES, string="Type", required=True, index=True, tracking=True
    )
    state = fields.Selection(
        REQUEST_STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
    )
    is_closed = fields.Boolean(compute="_compute_is_closed", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    account_id = fields.Many2one(
        "telecom.account",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )
    service_id = fields.Many2one(
        "telecom.service",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
        tracking=True,
    )
    service_label = fields.Char(
        related="service_id.name",
        store=True,
        string="Number / Address",
        help="Number or address of the service, kept on the row so that the "
        "card lists open requests without reading the services.",
    )
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        required=True,
        index=True,
        compute="_compute_region_id",
        store=True,
        readonly=False,
        precompute=True,
        ondelete="restrict",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    channel = fields.Selection(
        [channel for channel in CHANNELS if channel[0] != "system"],
        string="Received Through",
        default="shop",
        required=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
    )
    reason = fields.Text(help="Why the subscriber asks for it.")
    date_submitted = fields.Datetime(readonly=True, copy=False)
    date_closed = fields.Datetime(readonly=True, copy=False)
    effective_date = fields.Date(
        copy=False,
        tracking=True,
        help="When the change takes effect; scheduled requests complete that day.",
    )
    date_deadline = fields.Date(string="Deadline", copy=False, tracking=True)
    is_overdue = fields.Boolean(
        compute="_compute_is_overdue", search="_search_is_overdue"
    )
    rejection_reason = fields.Text(readonly=True, copy=False, tracking=True)
    completion_error = fields.Text(
        readonly=True,
        copy=False,
        help="Why the completion failed (scheduled completion or external "
        "fulfilment); empty when nothing failed.",
    )
    fulfilment_status = fields.Selection(
        FULFILMENT_STATUSES,
        string="Fulfilment",
        required=True,
        default="none",
        readonly=True,
        copy=False,
        index=True,
        tracking=True,
        help="Waiting: an external system (billing) fulfils the request and it "
        "completes when that system confirms. Failed: the fulfilment did not go "
        "through, see the completion error.",
    )
    event_ids = fields.One2many("telecom.event", "request_id", string="Journal")

    @api.depends("state")
    def _compute_is_closed(self):
        for request in self:
            request.is_closed = request.state in CLOSED_STATES

    @api.depends("service_id", "account_id", "partner_id")
    def _compute_region_id(self):
        for request in self:
            request.region_id = (
                request.service_id.region_id
                or request.account_id.region_id
                or request.partner_id.telecom_region_id
                or request.region_id
            )

    @api.depends("service_id", "account_id")
    def _compute_company_id(self):
        for request in self:
            request.company_id = (
                request.service_id.company_id
                or request.account_id.company_id
                or request.company_id
                or self.env.company
            )

    @api.depends("date_deadline", "is_closed")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.is_overdue = bool(
                not request.is_closed
                and request.date_deadline
                and request.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on overdue requests."))
        overdue = [
            ("is_closed", "=", False),
            ("date_deadline", "<", fields.Date.context_today(self)),
        ]
        return overdue if (operator == "=") == value else ["!", *overdue]

    @api.constrains("service_id", "partner_id")
    def _check_service_partner(self):
        for request in self:
            if (
                request.service_id
                and request.service_id.partner_id != request.partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "Service %(service)s does not belong to %(partner)s.",
                        service=request.service_id.display_name,
                        partner=request.partner_id.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("telecom.request") or "/"
                )
        return super().create(vals_list)

    def unlink(self):
        if any(request.state != "draft" for request in self):
            raise UserError(
                self.env._("Only draft requests can be deleted; cancel the others.")
            )
        return super().unlink()

    # ------------------------------------------------------------------
    # Actions (buttons): one per transition
    # ------------------------------------------------------------------
    def action_submit(self):
        self._transition("submitted")
        self._advance_submitted()
        return True

    def action_validate(self):
        self._transition("validated")
        return True

    def action_schedule(self):
        self._transition("scheduled")
        return True

    def action_complete(self):
        self._transition("done")
        return True

    def action_reject(self, reason=None):
        self._require_reason(reason)
        self._transition("rejected", note=reason)
        return True

    def action_cancel(self, reason=None):
        self._transition("cancelled", note=reason)
        return True

    @api.model
    def _action_new(self, request_type, values):
        """Window action opening a new request of ``request_type`` in a dialog."""
        type_labels = dict(
            self._fields["request_type"]._description_selection(self.env)
        )
        if request_type not in type_labels:
            raise UserError(
                self.env._("Unknown request type %(type)s.", type=request_type)
            )
        context = {f"default_{key}": value for key, value in values.items() if value}
        context["default_request_type"] = request_type
        return {
            "type": "ir.actions.act_window",
            "name": type_labels[request_type],
            "res_model": "telecom.request",
            "view_mode": "form",
            "views": [
                (
                    self.env.ref("telecom_subscriber.telecom_request_view_form").id,
                    "form",
                )
            ],
            "target": "new",
            "context": context,
        }

    def action_open_refuse_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject or Cancel %(name)s", name=self.name),
            "res_model": "telecom.request.refuse",
            "view_mode": "form",
            "target": "new",
            "context": {"default_request_id": self.id},
        }

    # ------------------------------------------------------------------
    # State machine
    # ------------------------------------------------------------------
    def _get_transitions(self):
        """State -> reachable states for this request's type (override per type)."""
        return DEFAULT_TRANSITIONS

    def _transition(self, target, note=None):
        """Move every request to ``target``: guards first, then hooks, write, journal.

        Completion is the one move an external system may hold: the requests
        ``_get_external_fulfilment_requests`` returns are handed to it through
        ``_request_external_fulfilment`` and stay where they are; the others move.
        """
        self._check_transition_guards(target)
        moving = self
        if target == "done":
            held = self._get_external_fulfilment_requests()
            if held:
                held._request_external_fulfilment()
                moving -= held
        if moving:
            moving._apply_transition(target, note)

    def _check_transition_guards(self, target):
        """Every check of a move, in one place: state machine, then the type's.

        Runs before any hook and before anything is written or sent; raises a
        ``UserError`` naming the first request that may not move.
        """
        for request in self:
            request._check_transition(target)
        self._dispatch("_check", target)

    def _apply_transition(self, target, note=None):
        """Write the move (guards already passed), run the hooks, journal it."""
        previous_states = {request.id: request.state for request in self}
        self.write(self._prepare_transition_vals(target, note))
        self._dispatch("_on", target)
        self._journal_transition(previous_states, target, note)
        self._dispatch("_after", target)
        if target in ("cancelled", "rejected"):
            self._cancel_external_fulfilment()

    def _check_transition(self, target):
        self.ensure_one()
        if target not in self._get_transitions().get(self.state, ()):
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "%(request)s cannot go from %(current)s to %(target)s.",
                    request=self.display_name,
                    current=states[self.state],
                    target=states[target],
                )
            )

    def _dispatch(self, prefix, target):
        """Call ``<prefix>_<target>_<type>`` on the requests of each type, if any."""
        for request_type, requests in self.grouped("request_type").items():
            hook = getattr(requests, f"{prefix}_{target}_{request_type}", None)
            if hook:
                hook()

    def _prepare_transition_vals(self, target, note):
        now = fields.Datetime.now()
        vals = {"state": target}
        if target == "submitted":
            vals["date_submitted"] = now
        if target in CLOSED_STATES:
            vals["date_closed"] = now
            vals["fulfilment_status"] = "none"
        if target == "done":
            vals["completion_error"] = False
        if target == "rejected":
            vals["rejection_reason"] = note
        return vals

    def _journal_transition(self, previous_states, target, note):
        """Write the journal event and the timeline row of each moved request."""
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        type_labels = dict(
            self._fields["request_type"]._description_selection(self.env)
        )
        self.env["telecom.event"]._emit(
            f"request.{target}",
            [
                request._prepare_event_vals(previous_states[request.id], note)
                for request in self
            ],
        )
        self.env["telecom.interaction"].create(
            [
                {
                    "partner_id": request.partner_id.id,
                    "service_id": request.service_id.id,
                    "request_id": request.id,
                    "channel": "system",
                    "direction": "internal",
                    "summary": self.env._(
                        "%(type)s %(name)s: %(state)s",
                        type=type_labels[request.request_type],
                        name=request.name,
                        state=state_labels[target],
                    ),
                    "description": note or False,
                    "company_id": request.company_id.id,
                }
                for request in self
            ]
        )

    def _prepare_event_vals(self, previous_state, note):
        self.ensure_one()
        payload = {
            "request": self.name,
            "request_type": self.request_type,
            "from_state": previous_state,
            "to_state": self.state,
            "note": note or None,
            "effective_date": fields.Date.to_string(self.effective_date) or None,
            "msisdn": self.service_id.msisdn or None,
            "account": self.account_id.name or self.service_id.account_id.name or None,
        }
        payload_hook = getattr(self, f"_event_payload_{self.request_type}", None)
        if payload_hook:
            payload.update(payload_hook())
        return {
            "partner_id": self.partner_id.id,
            "service_id": self.service_id.id,
            "request_id": self.id,
            "payload": payload,
            "summary": self.name,
        }

    def _advance_submitted(self):
        """Schedule future-dated requests; complete those nobody else has to fulfil."""
        today = fields.Date.context_today(self)
        submitted = self.filtered(lambda request: request.state == "submitted")
        to_schedule = submitted.filtered(
            lambda request: (
                request.effective_date
                and request.effective_date > today
                and "scheduled" in request._get_transitions()["submitted"]
            )
        )
        to_schedule._transition("scheduled")
        to_complete = (submitted - to_schedule).filtered(
            lambda request: request._is_completed_on_submit()
        )
        to_complete._transition("done")

    def _is_completed_on_submit(self):
        """Whether this request needs no further step once submitted.

        Types with review steps (porting, claims, terminations) return False; an
        integration that fulfils requests in billing overrides this.
        """
        self.ensure_one()
        return self.company_id.telecom_auto_complete

    # ------------------------------------------------------------------
    # External fulfilment (extension points of integrations)
    # ------------------------------------------------------------------
    def _get_external_fulfilment_requests(self):
        """Hook: the requests of ``self`` an external system must fulfil first.

        Called when completion is asked (button, submission, cron), after the
        guards passed. The requests returned are not completed: they are handed
        to ``_request_external_fulfilment``. Base: none, everything completes here.
        """
        return self.browse()

    def _request_external_fulfilment(self):
        """Hook: ask the external system to fulfil ``self``; they wait for it.

        Integrations extend it to send their order (in this transaction) and
        call ``_complete_after_fulfilment`` when the system confirms.
        """
        self.write({"fulfilment_status": "waiting", "completion_error": False})

    def _complete_after_fulfilment(self, note=None):
        """The external system fulfilled ``self``: complete the requests now.

        The guards run again (the subscriber's lines may have changed while it
        worked); the hold hook is not asked again, the fulfilment is what the
        requests waited for. Raises ``UserError`` like any completion.
        """
        self._check_transition_guards("done")
        self._apply_transition("done", note)

    def _fail_external_fulfilment(self, error):
        """The external fulfilment failed: flag the requests, keep the error."""
        self.write({"fulfilment_status": "failed", "completion_error": error})

    def _cancel_external_fulfilment(self):
        """Hook: ``self`` was cancelled or rejected; withdraw what was asked.

        Integrations cancel the orders not delivered yet and warn about the
        delivered ones. Base: nothing was asked (the move resets the status).
        """
        return

    def _require_reason(self, reason):
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason of the rejection."))

    def _require_service(self, allowed_states, action_label):
        """Raise unless every request targets a service in ``allowed_states``."""
        state_labels = dict(
            self.env["telecom.service"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        for request in self:
            if not request.service_id:
                raise UserError(
                    self.env._("%(action)s needs a service.", action=action_label)
                )
            if request.service_id.state not in allowed_states:
                raise UserError(
                    self.env._(
                        "%(action)s is not possible on %(service)s: it is %(state)s.",
                        action=action_label,
                        service=request.service_id.display_name,
                        state=state_labels[request.service_id.state],
                    )
                )

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------
    @api.model
    def _get_due_requests_domain(self):
        """Scheduled requests the cron completes: their day has come, nothing failed
        and no external system is working on them. Integrations extend it."""
        return [
            ("state", "=", "scheduled"),
            ("effective_date", "<=", fields.Date.context_today(self)),
            ("fulfilment_status", "=", "none"),
            ("completion_error", "=", False),
        ]

    @api.model
    def _cron_complete_due_requests(self, batch_size=500):
        """Complete scheduled requests whose effective date has come, in batches."""
        domain = self._get_due_requests_domain()
        due = self.search(domain, limit=batch_size, order="effective_date, id")
        due._complete_each()
        remaining = self.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(due), remaining=remaining)

    def _complete_each(self):
        """Complete requests one by one so one failure does not block the batch."""
        for request in self:
            try:
                with self.env.cr.savepoint():
                    request._transition("done")
            except (UserError, ValidationError) as error:
                request.completion_error = str(error)
                request.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Scheduled completion failed"),
                    note=str(error),
                    user_id=request.user_id.id or self.env.uid,
                )
