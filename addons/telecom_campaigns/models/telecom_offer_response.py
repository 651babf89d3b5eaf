from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

RESPONSE_STATES = [
    ("control", "Control (not contacted)"),
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("no_answer", "No Answer"),
    ("expired", "Expired"),
]
OPEN_STATES = ("queued", "sent")
# statuses of the mailing trace of a queued message meaning it reached the subscriber
DELIVERED_TRACE_STATUSES = ("sent", "open", "reply")
RESPONSE_CHANNELS = [("email", "Email"), ("sms", "SMS"), ("call", "Call")]


class TelecomOfferResponse(models.Model):
    """One offer made to one subscriber, and what became of it.

    Created set-based by a campaign launch (one row per targeted subscriber,
    the holdout included as ``control``), by "send offer" or by a retention
    agent. Sending, answers and expiry are written on the subscriber's timeline;
    an accepted offer becomes a lifecycle request (tariff change, option or
    discount option added), which the billing connector (when installed)
    delivers to billing.
    """

    _name = "telecom.offer.response"
    _description = "Offer Response"
    _order = "id desc"
    _rec_name = "offer_id"

    campaign_id = fields.Many2one(
        "telecom.campaign", index="btree_not_null", ondelete="cascade", readonly=True
    )
    variant_id = fields.Many2one(
        "telecom.ab.variant", ondelete="set null", readonly=True
    )
    offer_id = fields.Many2one(
        "telecom.offer", required=True, index=True, ondelete="restrict", readonly=True
    )
    offer_type = fields.Selection(related="offer_id.offer_type")
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    region_id = fields.Many2one(
        "telecom.region", string="Zone", index=True, readonly=True
    )
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    retention_case_id = fields.Many2one(
        "telecom.retention.case",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
    )
    state = fields.Selection(
        RESPONSE_STATES, required=True, default="queued", index=True, readonly=True
    )
    channel = fields.Selection(RESPONSE_CHANNELS, readonly=True)
    date_sent = fields.Datetime(readonly=True)
    date_delivered = fields.Datetime(readonly=True)
    date_answered = fields.Datetime(readonly=True)
    date_deadline = fields.Date(
        string="Answer By",
        readonly=True,
        help="Without an answer by this day the offer counts as not answered.",
    )
    request_id = fields.Many2one("telecom.request", ondelete="set null", readonly=True)
    request_state = fields.Selection(
        related="request_id.state", string="Request Status"
    )
    arpu_before = fields.Float(
        string="ARPU Before",
        readonly=True,
        help="The subscriber's ARPU of the last month when the offer was made.",
    )

    # ------------------------------------------------------------------
    # creation
    # ------------------------------------------------------------------
    @api.model
    def _insert_rows(self, rows, campaign=None, channel=None):
        """Insert responses in one statement.

        :param rows: ``[(partner_id, variant_id or None, offer_id or None, state)]``
            (no offer only for the control group: the campaign's first offer is
            stored for it, as the offer it was kept from)
        """
        if not rows:
            return self.browse()
        self.env["res.partner"].flush_model(["telecom_region_id", "company_id"])
        self.env["telecom.subscriber.metric"].flush_model(["arpu_last_month"])
        offers = self.env["telecom.offer"].browse({row[2] for row in rows if row[2]})
        deadline_of = {offer.id: offer._get_deadline() for offer in offers}
        partner_ids, variant_ids, offer_ids, states, deadlines = [], [], [], [], []
        for partner_id, variant_id, offer_id, state in rows:
            partner_ids.append(partner_id)
            variant_ids.append(variant_id or None)
            offer_ids.append(offer_id)
            states.append(state)
            deadlines.append(deadline_of.get(offer_id) if state != "control" else None)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_offer_response (
                       campaign_id, variant_id, offer_id, partner_id, region_id,
                       company_id, state, channel, date_deadline, arpu_before,
                       create_uid, create_date, write_uid, write_date)
                   SELECT %(campaign)s, row.variant_id, row.offer_id, partner.id,
                          partner.telecom_region_id,
                          COALESCE(%(company)s, partner.company_id), row.state,
                          CASE WHEN row.state = 'control' THEN NULL
                               ELSE %(channel)s END,
                          row.deadline, m.arpu_last_month,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM unnest(%(partners)s::int[], %(variants)s::int[],
                                 %(offers)s::int[], %(states)s::varchar[],
                                 %(deadlines)s::date[])
                          AS row(partner_id, variant_id, offer_id, state, deadline)
                     JOIN res_partner partner ON partner.id = row.partner_id
                LEFT JOIN telecom_subscriber_metric m ON m.partner_id = partner.id
                RETURNING id""",
                campaign=campaign.id if campaign else None,
                company=campaign.company_id.id if campaign else None,
                channel=channel or (campaign.channel if campaign else None),
                uid=self.env.uid,
                now=now,
                partners=partner_ids,
                variants=variant_ids,
                offers=offer_ids,
                states=states,
                deadlines=deadlines,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model()
        return self.browse(ids)

    @api.model
    def _create_for_offer(self, offer, partner_ids, campaign=None, channel=None):
        """One queued response of ``offer`` per eligible subscriber, then sent."""
        if not offer._is_valid():
            raise UserError(
                self.env._("Offer %s is not valid today.", offer.display_name)
            )
        eligible = offer._get_eligible_partner_ids(partner_ids)
        rows = [
            (pid, None, offer.id, "queued") for pid in partner_ids if pid in eligible
        ]
        responses = self._insert_rows(rows, campaign=campaign, channel=channel)
        # sudo: the subscribers were chosen by the caller (a scenario, a
        # campaign); the queue takes them whatever zones the caller sees
        responses.sudo()._queue_sending()
        return responses

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_accept(self):
        """The subscriber accepted: the request that fulfils the offer is created
        and submitted (billing fulfils it when the connector is installed)."""
        self._check_answerable()
        requests_vals = [
            response.offer_id._get_request_vals(response._get_service())
            for response in self
        ]
        # a retention offer keeps the subscriber: their leaving request is
        # cancelled before the offer's own request goes
        self.retention_case_id._retain_with(self)
        requests = self.env["telecom.request"].create(requests_vals)
        now = fields.Datetime.now()
        self.write({"state": "accepted", "date_answered": now})
        for response, request in zip(self, requests, strict=True):
            response.request_id = request
        requests.action_submit()
        self._log_timeline("accepted")
        return True

    def action_decline(self):
        self._check_answerable()
        self.write({"state": "declined", "date_answered": fields.Datetime.now()})
        self._log_timeline("declined")
        return True

    def action_view_request(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "telecom.request",
            "res_id": self.request_id.id,
            "view_mode": "form",
        }

    # ------------------------------------------------------------------
    # sending (called by the sending queue and the gateways)
    # ------------------------------------------------------------------
    def _queue_sending(self):
        """Hand the queued e-mail and SMS offers to the marketing message queue.

        The queue (``telecom.campaign.message``, branch c8-contact-policy)
        applies consent, opt-outs, frequency caps and quiet hours and sends
        through Odoo's mass mailing; :meth:`_cron_sync_messages` brings back
        what was sent and delivered. One mailing per campaign (or offer), offer
        and channel. Offers presented by call stay queued for the agents; without
        the queue installed everything stays queued.
        """
        to_send = self.filtered(
            lambda response: (
                response.state == "queued" and response.channel in ("email", "sms")
            )
        )
        if not to_send or "telecom.campaign.message" not in self.env:
            return self.browse()
        Message = self.env["telecom.campaign.message"]
        today = fields.Date.to_string(fields.Date.context_today(self))
        groups = to_send.grouped(
            lambda response: (response.campaign_id, response.offer_id, response.channel)
        )
        for (campaign, offer, channel), responses in groups.items():
            source = campaign or offer
            mailing = Message._get_mailing(
                source,
                channel,
                offer.email_subject or offer.name,
                offer.email_body if channel == "email" else offer.sms_body,
            )
            Message._queue_messages(
                responses.partner_id.ids,
                channel,
                source,
                mailing,
                # an offer sent outside campaigns may go again another day
                dedup_scope=None if campaign else f"telecom.offer,{offer.id},{today}",
            )
        return to_send

    @api.model
    def _cron_sync_messages(self):
        """Mark sent and delivered the offers whose queued message was sent or
        delivered (two statements), then write the timeline rows of the sent."""
        if "telecom.campaign.message" not in self.env:
            return 0
        self.env["telecom.campaign.message"].flush_model()
        self.flush_model()
        match = SQL(
            """msg.partner_id = r.partner_id AND msg.channel = r.channel
               AND ((msg.res_model = 'telecom.campaign' AND msg.res_id = r.campaign_id)
                    OR (msg.res_model = 'telecom.offer' AND r.campaign_id IS NULL
                        AND msg.res_id = r.offer_id))"""
        )
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_offer_response r
                      SET state = 'sent', date_sent = msg.sent_date,
                          write_date = now() AT TIME ZONE 'UTC'
                     FROM telecom_campaign_message msg
                    WHERE r.state = 'queued' AND msg.state = 'sent' AND %s
                RETURNING r.id""",
                match,
            )
        )
        sent_ids = [row[0] for row in self.env.cr.fetchall()]
        self.env["mailing.trace"].flush_model()
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_offer_response r
                      SET date_delivered = COALESCE(msg.sent_date,
                                                    now() AT TIME ZONE 'UTC')
                     FROM telecom_campaign_message msg
                     JOIN mailing_trace trace
                       ON trace.model = 'telecom.campaign.message'
                      AND trace.res_id = msg.id
                    WHERE r.date_delivered IS NULL AND r.date_sent IS NOT NULL
                      AND trace.trace_status IN %s
                      AND %s""",
                DELIVERED_TRACE_STATUSES,
                match,
            )
        )
        self.invalidate_model()
        self.browse(sent_ids)._log_timeline("sent")
        return len(sent_ids)

    def _mark_sent(self, channel=None):
        """The messages of these responses left (or the agent presented them)."""
        responses = self.filtered(lambda response: response.state == "queued")
        vals = {"state": "sent", "date_sent": fields.Datetime.now()}
        if channel:
            vals["channel"] = channel
        responses.write(vals)
        responses._log_timeline("sent")
        return responses

    def _mark_delivered(self):
        self.filtered(lambda response: not response.date_delivered).write(
            {"date_delivered": fields.Datetime.now()}
        )

    # ------------------------------------------------------------------
    # business methods
    # ------------------------------------------------------------------
    def _check_answerable(self):
        today = fields.Date.context_today(self)
        for response in self:
            if response.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "The offer to %s was already answered or closed.",
                        response.partner_id.display_name,
                    )
                )
            if not response.offer_id._is_valid(today) or (
                response.date_deadline and response.date_deadline < today
            ):
                raise UserError(
                    self.env._(
                        "Offer %(offer)s to %(partner)s is no longer valid.",
                        offer=response.offer_id.display_name,
                        partner=response.partner_id.display_name,
                    )
                )
            if not response._get_service():
                raise UserError(
                    self.env._(
                        "%(partner)s has no active line offer %(offer)s applies to.",
                        partner=response.partner_id.display_name,
                        offer=response.offer_id.display_name,
                    )
                )

    def _get_service(self):
        self.ensure_one()
        return self.offer_id._find_service(self.partner_id)

    def _log_timeline(self, event):
        """One timeline row per response for ``event`` (sent / answer / expiry)."""
        if not self:
            return
        labels = {
            "sent": (
                lambda offer: self.env._("Offer sent: %s", offer),
                "outbound",
                False,
            ),
            "accepted": (
                lambda offer: self.env._("Offer accepted: %s", offer),
                "inbound",
                "sale",
            ),
            "declined": (
                lambda offer: self.env._("Offer declined: %s", offer),
                "inbound",
                "information",
            ),
            "no_answer": (
                lambda offer: self.env._("Offer not answered: %s", offer),
                "internal",
                "no_answer",
            ),
        }
        summary, direction, outcome = labels[event]
        channels = dict(self.env["telecom.interaction"]._fields["channel"].selection)
        # sudo: a campaign reaches the subscribers of every zone of its segment;
        # these rows are the record of that contact, written whoever launched it
        self.env["telecom.interaction"].sudo().create(
            [
                {
                    "partner_id": response.partner_id.id,
                    "request_id": response.request_id.id,
                    "channel": response.channel
                    if response.channel in channels
                    else "system",
                    "direction": direction,
                    "outcome": "retained"
                    if event == "accepted" and response.retention_case_id
                    else outcome,
                    "summary": summary(response.offer_id.name),
                    "res_model": self._name,
                    "res_id": response.id,
                    "agent_id": self.env.uid,
                    "company_id": response.company_id.id
                    or response.partner_id.company_id.id
                    or self.env.company.id,
                }
                for response in self
            ]
        )

    @api.model
    def _cron_expire(self, batch_size=5000):
        """Close the offers not answered in time: sent ones as no answer, those
        never sent as expired. Batches; progress reported."""
        domain = [
            ("state", "in", OPEN_STATES),
            ("date_deadline", "<", fields.Date.context_today(self)),
        ]
        responses = self.search(domain, limit=batch_size)
        sent = responses.filtered(lambda response: response.state == "sent")
        sent.write({"state": "no_answer"})
        sent._log_timeline("no_answer")
        (responses - sent).write({"state": "expired"})
        remaining = self.search_count(domain) if len(responses) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(responses), remaining=remaining)
        return responses
