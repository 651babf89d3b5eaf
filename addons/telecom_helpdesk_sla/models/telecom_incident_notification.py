from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

NOTIFICATION_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("skipped", "Skipped (opt-out)"),
    ("failed", "Failed"),
]


class TelecomIncidentNotification(models.Model):
    """One message to one affected subscriber about an incident, on one channel.

    Rows are inserted set-based by the incident (opened / updated / resolved),
    already ``skipped`` when the subscriber opted out (no incident notifications
    wanted) or the central contact policy (``telecom.contact.policy``, service
    category: e-mail or phone blacklist) refuses them, and sent after the
    subscriber's quiet hours when the policy says so; a cron sends the due queue
    in batches, creating ``mail.mail`` and ``sms.sms`` records in bulk and
    logging them in the ``telecom.contact.log``.
    """

    _name = "telecom.incident.notification"
    _inherit = ["telecom.notice.queue.mixin"]
    _description = "Incident Notification"
    _order = "id desc"

    incident_id = fields.Many2one(
        "telecom.incident", required=True, readonly=True, index=True, ondelete="cascade"
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
    kind = fields.Selection(
        [("opened", "Opened"), ("updated", "Updated"), ("resolved", "Resolved")],
        required=True,
        readonly=True,
    )
    state = fields.Selection(
        NOTIFICATION_STATES, required=True, default="queued", readonly=True
    )
    skip_reason = fields.Selection(
        [
            ("partner", "Subscriber declined incident notifications"),
            ("email_blacklist", "E-mail blacklisted"),
            ("phone_blacklist", "Phone number blacklisted"),
            ("no_address", "No e-mail address or mobile number"),
        ],
        readonly=True,
    )
    address = fields.Char(readonly=True)
    scheduled_date = fields.Datetime(
        string="Send After",
        readonly=True,
        help="End of the subscriber's quiet hours when the notice was queued.",
    )
    sent_date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    def init(self):
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_incident_notification_queued_idx
                   ON telecom_incident_notification (id) WHERE state = 'queued'"""
        )

    @api.model
    def _skip_reason_sql(self, partners_sql, channel, company, at):
        """SQL ``SELECT partner_id, reason, send_at`` for the partners selected by
        ``partners_sql`` on ``channel``: the subscriber's own choice first, then
        the central contact policy for service notices (blacklists, quiet
        hours)."""
        return SQL(
            """SELECT pol.partner_id,
                      CASE WHEN NOT COALESCE(p.telecom_incident_notify, true)
                           THEN 'partner' ELSE pol.reason END,
                      pol.send_at
                 FROM (%s) AS pol
                 JOIN res_partner p ON p.id = pol.partner_id""",
            self.env["telecom.contact.policy"]._policy_sql(
                partners_sql, channel, "service", company, at=at
            ),
        )

    @api.model
    def _cron_send(self, limit=2000):
        """Send a batch of the due queue; report progress so the cron goes on."""
        self._skip_new_opt_outs()
        due = [
            ("state", "=", "queued"),
            "|",
            ("scheduled_date", "=", False),
            ("scheduled_date", "<=", fields.Datetime.now()),
        ]
        rows = self.search(due, order="id", limit=limit)
        if rows:
            rows._send()
        remaining = self.search_count(due)
        self.env["ir.cron"]._notify_progress(done=len(rows), remaining=remaining)
        return len(rows)

    def _skip_new_opt_outs(self):
        """Subscribers may opt out (or enter their quiet hours) between queueing
        and sending: apply the policy again to the queue, per channel and
        company, one UPDATE each."""
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            """SELECT DISTINCT channel, company_id FROM telecom_incident_notification
                WHERE state = 'queued'"""
        )
        for channel, company_id in self.env.cr.fetchall():
            company = self.env["res.company"].browse(company_id) or self.env.company
            self.env.cr.execute(
                SQL(
                    """UPDATE telecom_incident_notification n
                          SET state = CASE WHEN x.reason IS NULL THEN 'queued'
                                           ELSE 'skipped' END,
                              skip_reason = x.reason,
                              scheduled_date = CASE
                                  WHEN x.send_at > %(now)s THEN x.send_at
                                  ELSE n.scheduled_date END
                         FROM (%(policy)s) AS x(partner_id, reason, send_at)
                        WHERE n.partner_id = x.partner_id
                          AND n.state = 'queued'
                          AND n.channel = %(channel)s
                          AND n.company_id IS NOT DISTINCT FROM %(company)s
                          AND (x.reason IS NOT NULL
                               OR (x.send_at > %(now)s
                                   AND x.send_at
                                       > COALESCE(n.scheduled_date, %(now)s)))""",
                    now=now,
                    channel=channel,
                    company=company_id,
                    policy=self._skip_reason_sql(
                        SQL(
                            """SELECT partner_id FROM telecom_incident_notification
                                WHERE state = 'queued' AND channel = %s
                                  AND company_id IS NOT DISTINCT FROM %s""",
                            channel,
                            company_id,
                        ),
                        channel,
                        company,
                        now,
                    ),
                )
            )
        self.invalidate_model()

    def _send(self):
        """Create the e-mails and SMS of these rows: one rendering per incident,
        kind and language, one bulk create per channel."""
        mails, sms = [], []
        groups = defaultdict(lambda: self.browse())
        for row in self:
            groups[row.incident_id, row.kind, row.partner_id.lang or "en_US"] |= row
        for (incident, kind, lang), rows in groups.items():
            subject, text = incident.with_context(lang=lang)._notification_texts(kind)
            body = Markup("<p>%s</p>") % text
            for row in rows:
                if row.channel == "email":
                    mails.append(
                        {
                            "subject": subject,
                            "body_html": body,
                            "email_to": row.address,
                            "model": "telecom.incident",
                            "res_id": incident.id,
                            "auto_delete": True,
                        }
                    )
                else:
                    sms.append(
                        {
                            "number": row.address,
                            "partner_id": row.partner_id.id,
                            "body": f"{subject}. {text}",
                        }
                    )
        self._deliver(mails, sms)
