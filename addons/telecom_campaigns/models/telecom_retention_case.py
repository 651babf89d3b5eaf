from odoo import api, fields, models
from odoo.exceptions import UserError

# requests whose submission puts the subscriber in front of the retention team
RETENTION_TRIGGERS = [("port_out", "Port-Out Request"), ("termination", "Termination")]
CONSUMER_CODE = "telecom_campaigns_retention"


class TelecomRetentionCase(models.Model):
    """A subscriber about to leave, on the retention team's list.

    Created from the business event feed (``telecom.event.consumer``) when a
    port-out or termination request is submitted: once per request, whatever
    the retries or the number of workers.
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

    _sql_constraints = [
        ("request_uniq", "unique(request_id)", "A request opens one retention case."),
    ]

    @api.depends("churn_reasons")
    def _compute_churn_reason_text(self):
        # in the reader's language: the reasons are stored as codes
        self.env["telecom.subscriber.metric"]._format_churn_reasons(
            self, "churn_reasons", "churn_reason_text"
        )

    def action_mark_retained(self):
        self._close("retained")

    def action_mark_lost(self):
        self._close("lost")

    def _close(self, state):
        if any(case.state != "open" for case in self):
            raise UserError(self.env._("Only open retention cases can be closed."))
        self.write({"state": state})

    # ------------------------------------------------------------------
    # the event feed
    # ------------------------------------------------------------------
    @api.model
    def _cron_consume_events(self, limit=500):
        """Open the cases of one batch of events; run again while some remain."""
        consumer = self.env["telecom.event.consumer"]._get_consumer(CONSUMER_CODE)
        events = consumer._consume(self._open_from_events, limit=limit)
        self.env["ir.cron"]._notify_progress(
            done=len(events), remaining=1 if len(events) == limit else 0
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
