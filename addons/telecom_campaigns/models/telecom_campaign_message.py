from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.telecom_subscriber.models.telecom_contact_log import CONTACT_CHANNELS
from odoo.addons.telecom_subscriber.models.telecom_contact_policy import (
    CONTACT_BLOCK_REASONS,
)

MESSAGE_STATES = [
    ("queued", "Queued"),
    ("scheduled", "Waiting (quiet hours)"),
    ("blocked", "Blocked"),
    ("sent", "Sent"),
    ("cancelled", "Cancelled"),
]
MAILING_TYPES = {"email": "mail", "sms": "sms"}
# the address a message keeps: the one of its channel
ADDRESS_COLUMNS = {"email": "email", "sms": "phone"}


class TelecomCampaignMessage(models.Model):
    """One marketing message to one subscriber on one channel: the queue of the
    campaigns, offers and scenarios.

    Rows are inserted set-based with the contact policy applied
    (``_queue_messages``): blocked with a reason, waiting for the end of the
    subscriber's quiet hours, or queued. Each row belongs to a ``mailing.mailing``
    that Odoo's mass mailing sends in its own batches (utm, link tracking,
    mailing traces); the policy is applied again when the mailing sends.
    A partner is queued once per ``dedup_scope`` (source and channel): a retried
    queueing never sends twice.

    The row is kept narrow, for queueing half a million in one statement: the
    channel's address only, the zone read from the subscriber, four indexes and
    no foreign key: the table is made by :meth:`init` (``_auto = False``).
    PostgreSQL checks a foreign key row by row (an index probe and a lock of the
    referenced row): the subscriber's, the mailing's and the company's were
    about a third of the queueing. Deletion is explicit instead: a deleted
    subscriber's messages go with it (``res.partner`` unlink), a deleted mailing
    leaves its messages without mailing (``mailing.mailing`` unlink), as the
    foreign keys did. A new stored field needs its column in :meth:`init`.
    """

    _name = "telecom.campaign.message"
    _description = "Campaign Message"
    # mail.thread: mass SMS reads the recipients through it
    _inherit = ["mail.thread"]
    _auto = False
    _log_access = True  # off by default without _auto: "Queued On" is create_date
    _order = "id desc"
    _check_company_auto = True
    _mailing_enabled = True

    # indexed first in the unique (partner_id, dedup scope) index (init);
    # deleted with the subscriber (res.partner unlink)
    partner_id = fields.Many2one(
        "res.partner", string="Subscriber", required=True, readonly=True
    )
    channel = fields.Selection(CONTACT_CHANNELS, required=True, readonly=True)
    email = fields.Char(readonly=True)
    phone = fields.Char(string="Mobile Number", readonly=True)
    res_model = fields.Char(string="Source Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Source", model_field="res_model", readonly=True
    )
    # indexed with the state (init): the messages of a mailing, pending or not
    # emptied when the mailing is deleted (mailing.mailing unlink)
    mailing_id = fields.Many2one("mailing.mailing", readonly=True)
    dedup_scope = fields.Char(
        required=True,
        readonly=True,
        help="Source and channel: a subscriber is queued once per scope.",
    )
    # no index on state: the pending rows have their own partial index (init)
    state = fields.Selection(
        MESSAGE_STATES, required=True, default="queued", readonly=True
    )
    block_reason = fields.Selection(CONTACT_BLOCK_REASONS, readonly=True)
    scheduled_date = fields.Datetime(
        string="Send After",
        readonly=True,
        help="End of the quiet hours of the subscriber when the message was queued.",
    )
    sent_date = fields.Datetime(readonly=True)
    trace_status = fields.Char(
        string="Delivery",
        compute="_compute_trace_status",
        help="Status of the mailing trace: sent, opened, replied, bounced, error...",
    )
    # the subscriber's zone (record rules): not stored, one foreign key check
    # and one index less per queued row
    region_id = fields.Many2one(
        "telecom.region", string="Zone", related="partner_id.telecom_region_id"
    )
    company_id = fields.Many2one("res.company", readonly=True)

    def init(self):
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS telecom_campaign_message (
                   id serial PRIMARY KEY,
                   partner_id integer NOT NULL,
                   channel varchar NOT NULL,
                   email varchar,
                   phone varchar,
                   res_model varchar,
                   res_id integer,
                   mailing_id integer,
                   dedup_scope varchar NOT NULL,
                   state varchar NOT NULL,
                   block_reason varchar,
                   scheduled_date timestamp without time zone,
                   sent_date timestamp without time zone,
                   company_id integer,
                   create_uid integer,
                   create_date timestamp without time zone,
                   write_uid integer,
                   write_date timestamp without time zone
               )"""
        )
        # as few indexes as the screens and crons need: each one slows the
        # queueing of a whole audience in one statement. The scope is hashed:
        # a 16-byte key instead of a text one (a collision of two scopes of the
        # same subscriber has a chance of 2^-64)
        self.env.cr.execute(
            """CREATE UNIQUE INDEX IF NOT EXISTS telecom_campaign_message_dedup_idx
                    ON telecom_campaign_message
                       (partner_id, hashtextextended(dedup_scope, 0))"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_campaign_message_mailing_state_idx
                   ON telecom_campaign_message (mailing_id, state)"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_campaign_message_scheduled_idx
                   ON telecom_campaign_message (scheduled_date)
                WHERE state = 'scheduled'"""
        )

    def _compute_trace_status(self):
        selection = dict(
            self.env["mailing.trace"]
            ._fields["trace_status"]
            ._description_selection(self.env)
        )
        traces = self.env["mailing.trace"].search_read(
            [("model", "=", self._name), ("res_id", "in", self.ids)],
            ["res_id", "trace_status"],
        )
        status = {trace["res_id"]: trace["trace_status"] for trace in traces}
        for message in self:
            message.trace_status = selection.get(status.get(message.id), False)

    def _compute_display_name(self):
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for message in self:
            message.display_name = (
                f"{message.partner_id.display_name} "
                f"({channels.get(message.channel, '')})"
            )

    # deletion of what the rows refer to (no foreign keys: see the class)
    @api.model
    def _delete_partners(self, partner_ids):
        """Delete the messages of the subscribers ``partner_ids``."""
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM telecom_campaign_message WHERE partner_id = ANY(%s)",
            [list(partner_ids)],
        )
        self.invalidate_model()

    @api.model
    def _detach_mailings(self, mailing_ids):
        """The messages of the mailings ``mailing_ids`` lose their mailing."""
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE telecom_campaign_message SET mailing_id = NULL
                WHERE mailing_id = ANY(%s)""",
            [list(mailing_ids)],
        )
        self.invalidate_model(["mailing_id"])

    # mass mailing / mass SMS hooks
    def _phone_get_number_fields(self):
        return ["phone"]

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["partner_id"]

    @api.model
    def _mailing_get_default_domain(self, mailing):
        return [
            ("mailing_id", "=", mailing.id),
            ("state", "in", ("queued", "scheduled")),
        ]

    # business methods
    @api.model
    def _get_mailing(self, source, channel, subject, body, utm_campaign=None):
        """A mailing sending the ``channel`` messages of ``source``: the e-mail
        subject and HTML body, or the SMS text in ``body``."""
        if channel not in MAILING_TYPES:
            raise UserError(self.env._("Unknown channel: %s", channel))
        values = {
            "subject": subject,
            "mailing_type": MAILING_TYPES[channel],
            "mailing_model_id": self.env["ir.model"]._get_id(self._name),
            "campaign_id": utm_campaign.id if utm_campaign else False,
            # no copy of each message in the chatter of 500,000 queue rows
            "keep_archives": False,
            "reply_to_mode": "new",
        }
        if channel == "sms":
            values["body_plaintext"] = body
        else:
            values["body_html"] = body
            values["body_arch"] = body
        mailing = self.env["mailing.mailing"].create(values)
        mailing.mailing_domain = repr(self._mailing_get_default_domain(mailing))
        return mailing

    @api.model
    def _queue_messages(self, partners, channel, source, mailing, dedup_scope=None):
        """Queue a message of ``mailing`` to each partner, with the contact
        policy applied, in one INSERT ... SELECT.

        ``partners`` is a list of partner ids or an ``SQL`` selecting them.
        A partner already queued for this source (or ``dedup_scope``) and
        channel is left alone: calling twice queues once. Returns the counts of
        the new rows per state. The rows carry no create/write user (a foreign
        key check per row each): who queued them is the mailing's author.
        """
        self.check_access("create")
        if isinstance(partners, SQL):
            partners_sql = partners
        else:
            partners_sql = SQL("SELECT unnest(%s::int[])", list(partners))
        company = (
            source.company_id
            if "company_id" in source and source.company_id
            else self.env.company
        )
        scope = f"{dedup_scope or f'{source._name},{source.id}'},{channel}"
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """WITH inserted AS (
                       INSERT INTO telecom_campaign_message
                           (partner_id, channel, %(address_column)s, res_model,
                            res_id, mailing_id, dedup_scope, state, block_reason,
                            scheduled_date, company_id, create_date, write_date)
                       SELECT pol.partner_id, %(channel)s, %(address)s,
                              %(res_model)s, %(res_id)s, %(mailing)s, %(scope)s,
                              CASE WHEN pol.reason IS NOT NULL THEN 'blocked'
                                   WHEN pol.send_at > %(now)s THEN 'scheduled'
                                   ELSE 'queued' END,
                              pol.reason,
                              CASE WHEN pol.reason IS NULL THEN pol.send_at END,
                              %(company)s, %(now)s, %(now)s
                         FROM (%(policy)s) AS pol
                       ON CONFLICT (partner_id, hashtextextended(dedup_scope, 0))
                       DO NOTHING
                       RETURNING state)
                   SELECT state, count(*) FROM inserted GROUP BY state""",
                address_column=SQL.identifier(ADDRESS_COLUMNS[channel]),
                address=SQL.identifier("pol", ADDRESS_COLUMNS[channel]),
                channel=channel,
                res_model=source._name,
                res_id=source.id,
                mailing=mailing.id,
                scope=scope,
                now=now,
                company=company.id,
                policy=self.env["telecom.contact.policy"]._policy_sql(
                    partners_sql, channel, "marketing", company, at=now
                ),
            )
        )
        counts = dict.fromkeys(("queued", "scheduled", "blocked"), 0)
        counts.update(dict(self.env.cr.fetchall()))
        self.invalidate_model()
        if counts["queued"] or counts["scheduled"]:
            mailing._telecom_put_in_queue()
        return counts

    def _recheck_policy(self):
        """Apply the contact policy again to these messages (consent withdrawn,
        blacklisted, limit reached, quiet hours since they were queued) and
        return those that may be sent now."""
        pending = self.filtered(
            lambda message: message.state in ("queued", "scheduled")
        )
        if not pending:
            return self.browse()
        self.env.flush_all()
        now = fields.Datetime.now()
        allowed = []
        for (channel, company), messages in pending.grouped(
            lambda message: (message.channel, message.company_id)
        ).items():
            self.env.cr.execute(
                SQL(
                    """UPDATE telecom_campaign_message m
                          SET state = CASE
                                  WHEN pol.reason IS NOT NULL THEN 'blocked'
                                  WHEN GREATEST(pol.send_at, m.scheduled_date) > %(now)s
                                  THEN 'scheduled'
                                  ELSE 'queued' END,
                              block_reason = pol.reason,
                              scheduled_date = CASE WHEN pol.reason IS NULL
                                  THEN GREATEST(pol.send_at, m.scheduled_date)
                                  ELSE m.scheduled_date END,
                              %(address_column)s = %(address)s,
                              write_uid = %(uid)s,
                              write_date = %(now)s
                         FROM (%(policy)s) AS pol
                        WHERE m.id = ANY(%(ids)s)
                          AND pol.partner_id = m.partner_id
                    RETURNING m.id, m.state""",
                    now=now,
                    uid=self.env.uid,
                    ids=messages.ids,
                    address_column=SQL.identifier(ADDRESS_COLUMNS[channel]),
                    address=SQL.identifier("pol", ADDRESS_COLUMNS[channel]),
                    policy=self.env["telecom.contact.policy"]._policy_sql(
                        SQL(
                            "SELECT partner_id FROM telecom_campaign_message"
                            " WHERE id = ANY(%s)",
                            messages.ids,
                        ),
                        channel,
                        "marketing",
                        company or self.env.company,
                        at=now,
                    ),
                )
            )
            allowed += [row[0] for row in self.env.cr.fetchall() if row[1] == "queued"]
        self.invalidate_model()
        return self.browse(allowed)

    def _mark_sent(self):
        """Log these messages in the contact log (the caps count them) and mark
        them sent, in two statements."""
        if not self:
            return
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env["telecom.contact.log"]._log_from_sql(
            SQL(
                """SELECT partner_id, channel, 'marketing', %(now)s::timestamp,
                          %(model)s::varchar, id,
                          'telecom.campaign.message,' || id, company_id
                     FROM telecom_campaign_message
                    WHERE id = ANY(%(ids)s)""",
                now=now,
                model=self._name,
                ids=self.ids,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_campaign_message
                      SET state = 'sent', sent_date = %(now)s, write_uid = %(uid)s,
                          write_date = %(now)s
                    WHERE id = ANY(%(ids)s)""",
                now=now,
                uid=self.env.uid,
                ids=self.ids,
            )
        )
        self.invalidate_model()

    @api.model
    def _stop_for_withdrawn_consent(self, partner_ids, channel):
        """The subscribers ``partner_ids`` withdrew their marketing consent on
        ``channel``: their messages waiting in the queue are blocked, and those
        handed to Odoo's mail or SMS queue but not sent yet are cancelled with
        their e-mail or SMS. Returns the ids of the messages stopped."""
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """UPDATE telecom_campaign_message
                      SET state = 'blocked', block_reason = 'no_consent',
                          write_uid = %(uid)s, write_date = %(now)s
                    WHERE partner_id = ANY(%(partners)s) AND channel = %(channel)s
                      AND state IN ('queued', 'scheduled')
                RETURNING id""",
                uid=self.env.uid,
                now=now,
                partners=list(partner_ids),
                channel=channel,
            )
        )
        stopped = [row[0] for row in self.env.cr.fetchall()]
        self.env.cr.execute(
            SQL(
                """SELECT t.id, m.id
                     FROM telecom_campaign_message m
                     JOIN mailing_trace t
                       ON t.model = %(model)s AND t.res_id = m.id
                    WHERE m.partner_id = ANY(%(partners)s) AND m.channel = %(channel)s
                      AND m.state = 'sent' AND t.trace_status = 'outgoing'""",
                model=self._name,
                partners=list(partner_ids),
                channel=channel,
            )
        )
        rows = self.env.cr.fetchall()
        if rows:
            self._cancel_handed_over(
                self.env["mailing.trace"].browse([row[0] for row in rows])
            )
            self.env.cr.execute(
                SQL(
                    """UPDATE telecom_campaign_message
                          SET state = 'cancelled', block_reason = 'no_consent',
                              write_uid = %(uid)s, write_date = %(now)s
                        WHERE id = ANY(%(ids)s)""",
                    uid=self.env.uid,
                    now=now,
                    ids=[row[1] for row in rows],
                )
            )
            stopped += [row[1] for row in rows]
        self.invalidate_model()
        return stopped

    def _cancel_handed_over(self, traces):
        """Cancel the e-mails and SMS of ``traces`` still waiting to be sent.

        sudo: whoever records the withdrawal (an agent, the subscriber on the
        portal) stops the mailings' e-mails and SMS, which they may not read;
        only the outgoing ones of these traces are touched."""
        traces = traces.sudo()
        mails = traces.mail_mail_id.filtered(lambda mail: mail.state == "outgoing")
        mails.write({"state": "cancel"})
        # mass SMS link an SMS to its trace by the SMS's uuid (sms.tracker)
        uuids = traces.sms_tracker_ids.mapped("sms_uuid")
        if uuids:
            self.env["sms.sms"].sudo().search(
                [("uuid", "in", uuids), ("state", "=", "outgoing")]
            ).action_set_canceled()
        traces.filtered(lambda trace: trace.trace_status == "outgoing").write(
            {"trace_status": "cancel"}
        )

    @api.model
    def _cron_release_due(self):
        """Mailings whose messages waited for the end of quiet hours go back to
        the mass mailing queue once some of them are due."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT mailing_id FROM telecom_campaign_message
                    WHERE state = 'scheduled' AND scheduled_date <= %s
                      AND mailing_id IS NOT NULL""",
                fields.Datetime.now(),
            )
        )
        mailings = self.env["mailing.mailing"].browse(
            [row[0] for row in self.env.cr.fetchall()]
        )
        mailings.filtered(
            lambda mailing: mailing.state == "done"
        )._telecom_put_in_queue()
        return len(mailings)
