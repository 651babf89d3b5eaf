from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL


class TelecomIncident(models.Model):
    """Incident notices also go to the linked Telegram chats of the affected
    subscribers (those who did not decline incident notices)."""

    _inherit = "telecom.incident"

    notify_telegram = fields.Boolean(string="Notify in Telegram", default=True)

    def _queue_notifications(self, kind):
        result = super()._queue_notifications(kind)
        self._telegram_queue_notices(kind)
        return result

    def _telegram_queue_notices(self, kind):
        """One queued Telegram message per linked chat of the affected
        subscribers: chats selected in one query per incident, messages
        inserted in one statement per language."""
        Message = self.env["telecom.telegram.message"]
        queued = False
        self.env.flush_all()
        for incident in self.filtered(lambda i: i.notify_telegram and i.region_ids):
            chats_by_lang = incident._telegram_chats_by_lang()
            for lang, chat_ids in chats_by_lang.items():
                subject, text = incident.with_context(lang=lang)._notification_texts(
                    kind
                )
                incident._telegram_insert_notices(chat_ids, f"{subject}\n{text}")
                queued = True
        if queued:
            Message.invalidate_model()
            Message._telegram_wake_up()

    def _telegram_chats_by_lang(self):
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """SELECT c.id, COALESCE(p.lang, %(lang)s)
                     FROM telecom_telegram_chat c
                     JOIN telecom_telegram_bot b ON b.id = c.bot_id
                     JOIN res_partner p ON p.id = c.partner_id
                    WHERE c.active AND b.active
                      AND b.company_id = %(company)s
                      AND COALESCE(p.telecom_incident_notify, true)
                      AND c.partner_id IN (%(affected)s)""",
                lang=self.company_id.partner_id.lang or "en_US",
                company=self.company_id.id,
                affected=self._affected_partner_sql(),
            )
        )
        result = defaultdict(list)
        for chat_id, lang in self.env.cr.fetchall():
            result[lang].append(chat_id)
        return result

    def _telegram_insert_notices(self, chat_ids, text):
        self.ensure_one()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_telegram_message
                       (bot_id, chat_id, direction, state, text, date, company_id,
                        region_id, attempt_count, create_uid, create_date,
                        write_uid, write_date)
                   SELECT c.bot_id, c.id, 'outbound', 'queued', %(text)s, %(now)s,
                          c.company_id, c.region_id, 0, %(uid)s, %(now)s,
                          %(uid)s, %(now)s
                     FROM telecom_telegram_chat c
                    WHERE c.id = ANY(%(chats)s)""",
                text=text[:4096],
                now=now,
                uid=self.env.uid,
                chats=chat_ids,
            )
        )
