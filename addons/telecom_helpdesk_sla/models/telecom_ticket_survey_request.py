from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

SURVEY_REQUEST_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("skipped", "Skipped"),
]


class TelecomTicketSurveyRequest(models.Model):
    """The satisfaction request (CSAT and NPS) of one closed subscriber ticket.

    A cron queues one row per ticket (unique), the company's delay after the
    ticket was closed, for tickets of a subscriber not rated yet; the channel is
    e-mail, else SMS. The central contact policy (``telecom.contact.policy``,
    service category: a follow-up of the subscriber's own request, no
    promotion, so no marketing consent nor marketing caps; blacklists and, when
    the company says so, quiet hours apply) skips or defers each row, exactly as
    for incident notices; what is sent is logged in the ``telecom.contact.log``.
    """

    _name = "telecom.ticket.survey.request"
    _inherit = ["telecom.notice.queue.mixin"]
    _description = "Ticket Satisfaction Request"
    _order = "id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, readonly=True, index=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS")], required=True, readonly=True
    )
    state = fields.Selection(
        SURVEY_REQUEST_STATES, required=True, default="queued", readonly=True
    )
    skip_reason = fields.Selection(
        [
            ("email_blacklist", "E-mail blacklisted"),
            ("phone_blacklist", "Phone number blacklisted"),
            ("no_address", "No e-mail address or mobile number"),
            ("rated", "Rated before the request was sent"),
        ],
        readonly=True,
    )
    scheduled_date = fields.Datetime(
        string="Send After",
        readonly=True,
        help="The ticket's closing plus the company's delay, or the end of the "
        "subscriber's quiet hours.",
    )
    sent_date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    _sql_constraints = [
        (
            "ticket_unique",
            "UNIQUE(ticket_id)",
            "A ticket gets one satisfaction request.",
        ),
    ]

    def init(self):
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_ticket_survey_request_queued_idx
                   ON telecom_ticket_survey_request (id) WHERE state = 'queued'"""
        )

    @api.model
    def _cron_send(self, limit=2000):
        """Queue the requests of the tickets closed long enough ago, apply the
        contact policy, send a batch of the due queue; report progress."""
        self._queue_closed_tickets()
        self._apply_contact_policy()
        due = [
            ("state", "=", "queued"),
            ("scheduled_date", "<=", fields.Datetime.now()),
        ]
        rows = self.search(due, order="id", limit=limit)
        if rows:
            rows._send()
        remaining = self.search_count(due)
        self.env["ir.cron"]._notify_progress(done=len(rows), remaining=remaining)
        return len(rows)

    @api.model
    def _queue_closed_tickets(self):
        """One INSERT ... SELECT per company with the requests on: the closed,
        unrated tickets of a subscriber, closed ``delay`` hours ago or more."""
        self.env.flush_all()
        now = fields.Datetime.now()
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("telecom_survey_request_enabled", "=", True)])
        )
        for company in companies:
            delay = company.telecom_survey_request_delay_hours or 0
            self.env.cr.execute(
                SQL(
                    """INSERT INTO telecom_ticket_survey_request
                           (ticket_id, partner_id, channel, state, scheduled_date,
                            company_id, create_uid, create_date, write_uid,
                            write_date)
                       SELECT t.id, p.id,
                              CASE WHEN p.email_normalized IS NOT NULL
                                   THEN 'email' ELSE 'sms' END,
                              'queued',
                              t.closed_date + %(delay)s * interval '1 hour',
                              t.company_id, %(uid)s, %(now)s, %(uid)s, %(now)s
                         FROM helpdesk_ticket t
                         JOIN helpdesk_ticket_stage s ON s.id = t.stage_id AND s.closed
                         JOIN res_partner p ON p.id = t.partner_id
                         JOIN res_partner cp
                           ON cp.id = COALESCE(p.commercial_partner_id, p.id)
                        WHERE t.company_id = %(company)s
                          AND t.active
                          AND cp.telecom_is_subscriber
                          AND t.telecom_satisfaction IS NULL
                          AND t.closed_date IS NOT NULL
                          AND t.closed_date <= %(now)s::timestamp
                                               - %(delay)s * interval '1 hour'
                          AND t.closed_date > %(now)s::timestamp
                                              - %(delay)s * interval '1 hour'
                                              - interval '3 days'
                       ON CONFLICT (ticket_id) DO NOTHING""",
                    delay=delay,
                    now=now,
                    uid=self.env.uid,
                    company=company.id,
                )
            )
        self.invalidate_model()

    @api.model
    def _apply_contact_policy(self):
        """Skip the queued rows of rated tickets, then apply the central contact
        policy (service category) per channel and company, one UPDATE each:
        blacklisted or unreachable rows are skipped, rows in the subscriber's
        quiet hours wait for their end."""
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            """UPDATE telecom_ticket_survey_request r
                  SET state = 'skipped', skip_reason = 'rated'
                 FROM helpdesk_ticket t
                WHERE t.id = r.ticket_id AND r.state = 'queued'
                  AND t.telecom_satisfaction IS NOT NULL"""
        )
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT channel, company_id
                     FROM telecom_ticket_survey_request
                    WHERE state = 'queued' AND scheduled_date <= %s""",
                now,
            )
        )
        for channel, company_id in self.env.cr.fetchall():
            company = self.env["res.company"].browse(company_id) or self.env.company
            due_partners = SQL(
                """SELECT partner_id FROM telecom_ticket_survey_request
                    WHERE state = 'queued' AND channel = %s AND scheduled_date <= %s
                      AND company_id IS NOT DISTINCT FROM %s""",
                channel,
                now,
                company_id,
            )
            self.env.cr.execute(
                SQL(
                    """UPDATE telecom_ticket_survey_request r
                          SET state = CASE WHEN x.reason IS NULL THEN 'queued'
                                           ELSE 'skipped' END,
                              skip_reason = x.reason,
                              scheduled_date = GREATEST(r.scheduled_date, x.send_at)
                         FROM (%(policy)s) AS x
                        WHERE r.partner_id = x.partner_id
                          AND r.state = 'queued'
                          AND r.channel = %(channel)s
                          AND r.scheduled_date <= %(now)s
                          AND r.company_id IS NOT DISTINCT FROM %(company)s
                          AND (x.reason IS NOT NULL OR x.send_at > %(now)s)""",
                    policy=self.env["telecom.contact.policy"]._policy_sql(
                        due_partners, channel, "service", company, at=now
                    ),
                    channel=channel,
                    now=now,
                    company=company_id,
                )
            )
        self.invalidate_model()

    def _send(self):
        """Create the e-mails and SMS of these rows (one rendering per row: the
        link is the ticket's), one bulk create per channel, and log them."""
        mails, sms = [], []
        by_lang = defaultdict(lambda: self.browse())
        for row in self:
            by_lang[row.partner_id.lang or "en_US"] |= row
        for lang, rows in by_lang.items():
            for row in rows.with_context(lang=lang):
                subject, text, url = row._request_texts()
                if row.channel == "email":
                    mails.append(
                        {
                            "subject": subject,
                            "body_html": Markup('<p>%s</p><p><a href="%s">%s</a></p>')
                            % (text, url, self.env._("Rate your request")),
                            "email_to": row.partner_id.email_formatted,
                            "recipient_ids": [],
                            "model": "helpdesk.ticket",
                            "res_id": row.ticket_id.id,
                            "auto_delete": True,
                        }
                    )
                else:
                    sms.append(
                        {
                            "number": row.partner_id.phone_sanitized,
                            "partner_id": row.partner_id.id,
                            "body": f"{text} {url}",
                        }
                    )
        self._deliver(mails, sms)

    def _request_texts(self):
        """Subject, text and rating link of this request, in the context's
        language. The link is the ticket's portal page: its rating form is
        shown to the signed-in subscriber of the ticket only."""
        self.ensure_one()
        ticket = self.ticket_id
        url = f"{ticket.get_base_url()}/my/ticket/{ticket.id}"
        subject = self.env._("How did we do with %(ticket)s?", ticket=ticket.number)
        text = self.env._(
            "Your request %(ticket)s is closed. Please rate our service and "
            "tell us whether you would recommend us:",
            ticket=ticket.number,
        )
        return subject, text, url
