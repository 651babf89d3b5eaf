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
    already ``skipped`` when the subscriber opted out (e-mail or phone blacklist,
    or no incident notifications wanted); a cron sends the queue in batches,
    creating ``mail.mail`` and ``sms.sms`` records in bulk.
    """

    _name = "telecom.incident.notification"
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
        ],
        readonly=True,
    )
    address = fields.Char(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    def init(self):
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_incident_notification_queued_idx
                   ON telecom_incident_notification (id) WHERE state = 'queued'"""
        )

    @api.model
    def _opt_out_sql(self, partner, channel):
        """SQL returning the opt-out reason of ``partner`` on ``channel``, or
        NULL: the subscriber's own choice, the e-mail or the phone blacklist."""
        return SQL(
            """SELECT CASE
                   WHEN NOT COALESCE(%(p)s.telecom_incident_notify, true)
                   THEN 'partner'
                   WHEN %(ch)s = 'email' AND EXISTS (
                        SELECT 1 FROM mail_blacklist b
                         WHERE b.email = %(p)s.email_normalized AND b.active)
                   THEN 'email_blacklist'
                   WHEN %(ch)s = 'sms' AND EXISTS (
                        SELECT 1 FROM phone_blacklist b
                         WHERE b.number = %(p)s.phone_sanitized AND b.active)
                   THEN 'phone_blacklist'
                   END""",
            p=partner,
            ch=channel,
        )

    @api.model
    def _cron_send(self, limit=2000):
        """Send a batch of the queue; report progress so the cron goes on."""
        self._skip_new_opt_outs()
        rows = self.search([("state", "=", "queued")], order="id", limit=limit)
        if rows:
            rows._send()
        remaining = self.search_count([("state", "=", "queued")])
        self.env["ir.cron"]._notify_progress(done=len(rows), remaining=remaining)
        return len(rows)

    def _skip_new_opt_outs(self):
        """Subscribers may opt out between queueing and sending."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_incident_notification n SET state = 'skipped',
                          skip_reason = x.reason
                     FROM (SELECT q.id, o.reason
                             FROM telecom_incident_notification q
                             JOIN res_partner p ON p.id = q.partner_id
                            CROSS JOIN LATERAL (%s) AS o(reason)
                            WHERE q.state = 'queued' AND o.reason IS NOT NULL) x
                    WHERE n.id = x.id""",
                self._opt_out_sql(SQL("p"), SQL("q.channel")),
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
        # sudo: the system sends the queue it built
        if mails:
            self.env["mail.mail"].sudo().create(mails)
        if sms:
            self.env["sms.sms"].sudo().create(sms)
        self.write({"state": "sent", "sent_date": fields.Datetime.now()})
