from odoo import fields, models
from odoo.tools import SQL


class TelecomNoticeQueueMixin(models.AbstractModel):
    """A queue of service messages to subscribers (incident notices, rating
    requests): rows with a ``partner_id``, a ``channel`` (email or sms), a
    ``state`` and a ``company_id``, sent in batches by a cron.

    ``_deliver`` hands a batch's rendered messages to Odoo's mail and SMS
    queues in one bulk create per channel, marks the rows sent and logs them in
    the central ``telecom.contact.log`` (the frequency caps of the contact
    policy count them)."""

    _name = "telecom.notice.queue.mixin"
    _description = "Subscriber Notice Queue"

    def _deliver(self, mails, sms):
        """Create ``mails`` (``mail.mail`` values) and ``sms`` (``sms.sms``
        values), then mark these rows sent and log the contacts."""
        # sudo: the system sends the queue it built
        if mails:
            self.env["mail.mail"].sudo().create(mails)
        if sms:
            self.env["sms.sms"].sudo().create(sms)
        now = fields.Datetime.now()
        self.write({"state": "sent", "sent_date": now})
        self.flush_recordset()
        self.env["telecom.contact.log"]._log_from_sql(
            SQL(
                """SELECT partner_id, channel, 'service', %(now)s::timestamp,
                          %(model)s::varchar, id, %(model)s || ',' || id, company_id
                     FROM %(table)s WHERE id = ANY(%(ids)s)""",
                now=now,
                model=self._name,
                table=SQL.identifier(self._table),
                ids=self.ids,
            )
        )
