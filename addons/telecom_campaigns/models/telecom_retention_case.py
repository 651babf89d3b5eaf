from odoo import api, fields, models
from odoo.exceptions import UserError

# requests whose submission puts the subscriber in front of the retention team
RETENTION_TRIGGERS = [("port_out", "Port-Out Request"), ("termination", "Termination")]
CONSUMER_CODE = "telecom_campaigns_retention"
# the end of those requests, wherever it happens, closes their case
CLOSING_CONSUMER_CODE = "telecom_campaigns_retention_close"
# event of the request -> state of its open case
CLOSING_EVENTS = {
    "request.done": "lost",
    "request.cancelled": "retained",
    "request.rejected": "retained",
}


class TelecomRetentionCase(models.Model):
    """A subscriber about to leave, on the retention team's list.

    Created from the business event feed (``telecom.event.consumer``) when a
    port-out or termination request is submitted: once per request, whatever
    the retries or the number of workers. Accepting an offer on the case keeps
    the subscriber: the case closes as retained and its request is cancelled
    through its lifecycle. The end of the request elsewhere (completed: lost;
    cancelled or rejected: retained) closes the case too, from the same feed.
    """

    _name = "telecom.retention.case"
    _description = "Retention Case"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "churn_risk desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", required=True, readonly=True, index=True
    )
    request_id = fields.Many2one(
        "telecom.request", required=True, readonly=True, ondelete="cascade"
    )
    event_id = fields.Many2one(
        "telecom.event", string="Triggering Event", readonly=True, ondelete="set null"
    )
    trigger = fields.Selection(RETENTION_TRIGGERS, required=True, readonly=True)
    region_id = fields.Many2one(
        "telecom.region", string="Zone", readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    churn_risk = fields.Integer(
        readonly=True, help="Churn risk of the subscriber when the case opened."
    )
    churn_reasons = fields.Json(readonly=True, help="As they were at opening.")
    churn_reason_text = fields.Text(
        string="Churn Risk Reasons",
        compute="_compute_churn_reason_text",
        help="As they were at opening.",
    )
    user_id = fields.Many2one(
        "res.users", string="Retention Agent", tracking=True, index=True
    )
    state = fields.Selection(
        [("open", "Open"), ("retained", "Retained"), ("lost", "Lost")],
        required=True,
        default="open",
        readonly=True,
        tracking=True,
        index=True,
    )

    recommended_offer_id = fields.Many2one(
        "telecom.offer",
        compute="_compute_recommended_offer",
        help="The best retention offer for this subscriber now.",
    )
    recommendation_text = fields.Text(
        string="Why This Offer", compute="_compute_recommended_offer"
    )
    offer_response_ids = fields.One2many(
        "telecom.offer.response", "retention_case_id", string="Offers Made"
    )
    open_response_id = fields.Many2one(
        "telecom.offer.response",
        string="Offer Presented",
        compute="_compute_open_response_id",
    )

    _sql_constraints = [
        ("request_uniq", "unique(request_id)", "A request opens one retention case."),
    ]

    @api.depends("churn_reasons")
    def _compute_churn_reason_text(self):
        # in the reader's language: the reasons are stored as codes
        self.env["telecom.subscriber.metric"]._format_churn_reasons(
            self, "churn_reasons", "churn_reason_text"
        )

    @api.depends("partner_id", "offer_response_ids.state")
    def _compute_recommended_offer(self):
        """The first retention offer by preference that is valid today, that the
        subscriber is eligible for, that applies to one of their active lines and
        that they did not decline on this case. Set-based: one search for the
        offers, one eligibility query per offer."""
        offers = self.env["telecom.offer"].search(
            [
                ("retention_ok", "=", True),
                "|",
                ("date_from", "=", False),
                ("date_from", "<=", fields.Date.context_today(self)),
                "|",
                ("date_to", "=", False),
                ("date_to", ">=", fields.Date.context_today(self)),
            ]
        )
        partner_ids = self.partner_id.ids
        eligible = {
            offer: offer._get_eligible_partner_ids(partner_ids) for offer in offers
        }
        for case in self:
            declined = case.offer_response_ids.filtered(
                lambda response: response.state == "declined"
            ).offer_id
            fitting = []
            for offer in offers:
                if case.partner_id.id not in eligible[offer] or offer in declined:
                    continue
                service = offer._find_service(case.partner_id)
                if not service:
                    continue
                fitting.append((offer, service))
            if not fitting:
                case.recommended_offer_id = False
                case.recommendation_text = self.env._(
                    "No retention offer fits: none is valid today, open to this "
                    "subscriber, applicable to one of their active lines and not "
                    "declined already."
                )
                continue
            offer, service = fitting[0]
            lines = [
                self.env._(
                    "%(offer)s: first by order of preference among the %(count)s "
                    "retention offers that fit this subscriber today.",
                    offer=offer.name,
                    count=len(fitting),
                ),
                self.env._(
                    "Eligible as a subscriber matching segment “%s”.",
                    # sudo: retention agents read offers, not the marketing segments
                    offer.eligibility_segment_id.sudo().name,
                )
                if offer.eligibility_segment_id
                else self.env._("Open to every subscriber."),
                self.env._("Valid until %s.", fields.Date.to_string(offer.date_to))
                if offer.date_to
                else self.env._("Valid without end date."),
            ]
            lines.append(self.env._("Applies to line %s.", service.display_name))
            if len(fitting) > 1:
                lines.append(
                    self.env._(
                        "Next ones: %s.",
                        ", ".join(other.name for other, __ in fitting[1:4]),
                    )
                )
            case.recommended_offer_id = offer
            case.recommendation_text = "\n".join(lines)

    @api.depends("offer_response_ids.state")
    def _compute_open_response_id(self):
        for case in self:
            case.open_response_id = case.offer_response_ids.filtered(
                lambda response: response.state in ("queued", "sent")
            )[:1]

    def action_present_offer(self):
        """The agent presents the recommended offer: a response is recorded as
        sent by call, to be accepted or declined."""
        self.ensure_one()
        if self.state != "open":
            raise UserError(self.env._("The retention case is closed."))
        if self.open_response_id:
            raise UserError(
                self.env._("An offer is already presented: record the answer.")
            )
        offer = self.recommended_offer_id
        if not offer:
            raise UserError(self.env._("No retention offer fits this subscriber."))
        response = self.env["telecom.offer.response"].create(
            {
                "offer_id": offer.id,
                "partner_id": self.partner_id.id,
                "retention_case_id": self.id,
                "region_id": self.region_id.id,
                "company_id": self.company_id.id,
                "channel": "call",
                "state": "queued",
                "date_deadline": offer._get_deadline(),
                "arpu_before": self.env["telecom.subscriber.metric"]
                .search([("partner_id", "=", self.partner_id.id)], limit=1)
                .arpu_last_month,
            }
        )
        response._mark_sent("call")
        return True

    def action_accept_offer(self):
        """The subscriber accepts the offer presented (the recommended one when
        none is): the case closes as retained, see :meth:`_retain_with`."""
        self.ensure_one()
        if not self.open_response_id:
            self.action_present_offer()
        self.open_response_id.action_accept()
        return True

    def action_decline_offer(self):
        self.ensure_one()
        if not self.open_response_id:
            raise UserError(self.env._("Present an offer first."))
        response = self.open_response_id
        response.action_decline()
        self.message_post(body=self.env._("Offer declined: %s", response.offer_id.name))
        return True

    def action_mark_retained(self):
        self._close("retained")

    def action_mark_lost(self):
        self._close("lost")

    def _close(self, state):
        if any(case.state != "open" for case in self):
            raise UserError(self.env._("Only open retention cases can be closed."))
        self.write({"state": state})

    def _retain_with(self, responses):
        """The subscriber accepted ``responses`` (one per case): the cases close
        as retained and their port-out or termination is cancelled through its
        lifecycle, the reason in its journal and on the timeline."""
        # a case closed meanwhile (its request ended elsewhere) stays as it is
        for case in self.filtered(lambda case: case.state == "open"):
            offer = responses.filtered(
                lambda response, case=case: response.retention_case_id == case
            )[:1].offer_id
            case._close("retained")
            case.message_post(body=self.env._("Offer accepted: %s", offer.name))
            request = case.request_id
            if request and not request.is_closed:
                request.action_cancel(
                    reason=self.env._(
                        "The subscriber stays: offer %(offer)s accepted on the "
                        "retention case (%(agent)s).",
                        offer=offer.name,
                        agent=self.env.user.name,
                    )
                )

    # ------------------------------------------------------------------
    # the event feed
    # ------------------------------------------------------------------
    @api.model
    def _cron_consume_events(self, limit=500):
        """Open the cases of one batch of submissions and close those of one batch
        of completed, cancelled or rejected requests; run again while some remain."""
        Consumer = self.env["telecom.event.consumer"]
        opened = Consumer._get_consumer(CONSUMER_CODE)._consume(
            self._open_from_events, limit=limit
        )
        closed = Consumer._get_consumer(CLOSING_CONSUMER_CODE)._consume(
            self._close_from_events, limit=limit
        )
        events = opened | closed
        self.env["ir.cron"]._notify_progress(
            done=len(events),
            remaining=1 if limit in (len(opened), len(closed)) else 0,
        )
        return events

    @api.model
    def _open_from_events(self, events):
        """One case per submitted port-out or termination request of ``events``
        still open (a request closed meanwhile, or long ago when the feed is
        replayed, needs nobody)."""
        triggers = dict(RETENTION_TRIGGERS)
        events = events.filtered(
            lambda event: (
                event.request_id
                and not event.request_id.is_closed
                and (event.payload or {}).get("request_type") in triggers
            )
        )
        if not events:
            return self
        # sudo: the feed's consumer opens the cases of every zone, whoever runs it
        Case = self.sudo()
        known = set(
            Case.search([("request_id", "in", events.request_id.ids)]).request_id.ids
        )
        # the score as it is now, the request included
        Metric = self.env["telecom.subscriber.metric"].sudo()
        Metric._refresh(events.partner_id.ids)
        metrics = Metric.search([("partner_id", "in", events.partner_id.ids)])
        metric_of = {metric.partner_id.id: metric for metric in metrics}
        vals_list = []
        for event in events:
            request = event.request_id
            if request.id in known:
                continue
            known.add(request.id)
            metric = metric_of.get(request.partner_id.id)
            vals_list.append(
                {
                    "partner_id": request.partner_id.id,
                    "request_id": request.id,
                    "event_id": event.id,
                    "trigger": request.request_type,
                    "region_id": request.region_id.id,
                    "company_id": request.company_id.id,
                    "churn_risk": metric.churn_risk if metric else 0,
                    "churn_reasons": metric.churn_reasons if metric else False,
                }
            )
        return Case.create(vals_list)

    @api.model
    def _close_from_events(self, events):
        """Close the open cases whose request ended: completed (the subscriber
        left: lost), cancelled or rejected (they stay: retained)."""
        events = events.filtered(
            lambda event: event.request_id and event.event_type in CLOSING_EVENTS
        )
        if not events:
            return self
        # sudo: the feed's consumer closes the cases of every zone, whoever runs it
        cases = self.sudo().search(
            [("request_id", "in", events.request_id.ids), ("state", "=", "open")]
        )
        case_of = {case.request_id.id: case for case in cases}
        for event in events:
            case = case_of.pop(event.request_id.id, None)
            if not case:
                continue
            case._close(CLOSING_EVENTS[event.event_type])
            case.message_post(
                body=self.env._(
                    "Closed by itself: request %(request)s went to %(state)s.",
                    request=event.request_id.name,
                    state=dict(
                        event.request_id._fields["state"]._description_selection(
                            self.env
                        )
                    )[event.request_id.state],
                )
            )
        return cases
