from odoo import api, fields, models
from odoo.tools import SQL

CONTACT_CHANNELS = [("email", "Email"), ("sms", "SMS")]
CONTACT_CATEGORIES = [("marketing", "Marketing"), ("service", "Service Notice")]


class TelecomContactLog(models.Model):
    """One message handed to a channel for one subscriber, by any sender.

    Written set-based when a sender dispatches (campaign messages, incident
    notices); frequency caps count the marketing rows. ``dedup_key`` is unique:
    a sender retrying a dispatch never logs (nor sends) a contact twice.
    """

    _name = "telecom.contact.log"
    _description = "Contact Log"
    _order = "date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    channel = fields.Selection(CONTACT_CHANNELS, required=True, readonly=True)
    category = fields.Selection(CONTACT_CATEGORIES, required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    res_model = fields.Char(string="Sent By Model", readonly=True)
    res_id = fields.Many2oneReference(
        string="Sent By", model_field="res_model", readonly=True
    )
    dedup_key = fields.Char(required=True, readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    _sql_constraints = [
        (
            "dedup_key_unique",
            "UNIQUE(dedup_key)",
            "This contact is already logged.",
        )
    ]

    def init(self):
        # the caps read the marketing contacts of a channel in a time window
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_contact_log_cap_idx
                   ON telecom_contact_log (channel, category, date, partner_id)"""
        )

    @api.model
    def _log_from_sql(self, rows_sql):
        """Log the contacts selected by ``rows_sql`` in one INSERT ... SELECT.

        ``rows_sql`` selects, in this order: partner_id, channel, category,
        date, res_model, res_id, dedup_key, company_id. Rows whose dedup_key is
        already logged are ignored. Returns the number of rows logged.
        """
        self.env.flush_all()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_contact_log
                       (partner_id, channel, category, date, res_model, res_id,
                        dedup_key, company_id, create_uid, create_date, write_uid,
                        write_date)
                   SELECT x.*, %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM (%(rows)s) AS x
                   ON CONFLICT (dedup_key) DO NOTHING""",
                rows=rows_sql,
                uid=self.env.uid,
                now=now,
            )
        )
        self.invalidate_model()
        return self.env.cr.rowcount
