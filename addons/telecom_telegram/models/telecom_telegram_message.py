import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.bot_api import TelegramRejectedError, TelegramTransientError

_logger = logging.getLogger(__name__)

PROCESS_BATCH = 50
SEND_BATCH = 20  # sends per cron call: the framework commits between calls
MAX_RETRY_DELAY = 3600  # seconds


class TelecomTelegramMessage(models.Model):
    """One message of a Telegram chat, inbound (an update of the webhook) or
    outbound (an answer or a notice, queued).

    The webhook only records inbound messages (``received``); the cron
    ``_cron_run`` answers them (``processed``) and sends the queue with a
    time-out per call and retries with a growing delay (``sent`` or, after
    ``max_attempts``, ``failed``). Messages of a linked chat belong to a
    conversation (``interaction_id``): its transcript.
    """

    _name = "telecom.telegram.message"
    _description = "Telegram Message"
    _order = "id"

    bot_id = fields.Many2one(
        "telecom.telegram.bot",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    chat_id = fields.Many2one(
        "telecom.telegram.chat",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        related="chat_id.partner_id", string="Subscriber", readonly=True
    )
    interaction_id = fields.Many2one(
        "telecom.interaction",
        string="Conversation",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    direction = fields.Selection(
        [("inbound", "From the subscriber"), ("outbound", "From the bot")],
        required=True,
        readonly=True,
    )
    text = fields.Text(readonly=True)
    state = fields.Selection(
        [
            ("received", "Received"),
            ("processed", "Answered"),
            ("error", "Not Answered"),
            ("queued", "Queued"),
            ("sent", "Sent"),
            ("failed", "Failed"),
        ],
        required=True,
        readonly=True,
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    update_id = fields.Integer(readonly=True, help="Telegram's id of the update.")
    telegram_message_id = fields.Integer(readonly=True)
    attempt_count = fields.Integer(readonly=True)
    next_attempt_at = fields.Datetime(readonly=True)
    sent_date = fields.Datetime(readonly=True)
    error = fields.Char(readonly=True)
    company_id = fields.Many2one(related="bot_id.company_id", store=True, index=True)
    region_id = fields.Many2one(related="chat_id.region_id", store=True, index=True)

    _sql_constraints = [
        (
            "update_uniq",
            "unique(bot_id, update_id)",
            "This update of the bot was already received.",
        ),
    ]

    def init(self):
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_telegram_message_todo_idx
                   ON telecom_telegram_message (id)
                WHERE state IN ('received', 'queued')"""
        )

    # ------------------------------------------------------------------
    # the cron
    # ------------------------------------------------------------------
    @api.model
    def _telegram_wake_up(self, at=None):
        cron = self.env.ref(
            "telecom_telegram.ir_cron_telecom_telegram_run", raise_if_not_found=False
        )
        if cron:
            cron._trigger(at)

    @api.model
    def _cron_run(self):
        """Answer the received messages, then send a batch of the queue;
        report progress so that the cron goes on while work is left."""
        in_cron = self.with_context(telecom_telegram_in_cron=True)
        processed = in_cron._telegram_process_batch()
        sent = in_cron._telegram_send_batch()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT count(*) FROM telecom_telegram_message
                    WHERE state = 'received'
                       OR (state = 'queued'
                           AND (next_attempt_at IS NULL OR next_attempt_at <= %s))""",
                fields.Datetime.now(),
            )
        )
        remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=processed + sent, remaining=remaining)
        return processed + sent

    @api.model
    def _telegram_process_batch(self, limit=PROCESS_BATCH):
        messages = self._telegram_lock(SQL("state = 'received'"), limit)
        for message in messages:
            message._telegram_process()
        return len(messages)

    @api.model
    def _telegram_lock(self, condition, limit):
        """Rows matching ``condition``, oldest first, locked for this
        transaction (rows another worker holds are skipped)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT id FROM telecom_telegram_message
                    WHERE %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""",
                condition,
                limit,
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _telegram_process(self):
        """Answer this inbound message; a failure leaves it ``error`` (logged)
        and the others go on."""
        self.ensure_one()
        chat = self.chat_id
        try:
            with self.env.cr.savepoint():
                interaction = chat._telegram_touch_session(self.date)
                self.interaction_id = interaction
                chat._telegram_handle(self)
                if not self.interaction_id and chat.interaction_id:
                    self.interaction_id = chat.interaction_id  # just linked
                self.state = "processed"
        except Exception as error:  # noqa: BLE001 - one bad update stops nothing
            _logger.exception("Telegram message %s not answered", self.id)
            self.write({"state": "error", "error": str(error)[:250]})

    @api.model
    def _telegram_send_batch(self, limit=SEND_BATCH):
        messages = self._telegram_lock(
            SQL(
                """state = 'queued'
                   AND (next_attempt_at IS NULL OR next_attempt_at <= %s)""",
                fields.Datetime.now(),
            ),
            limit,
        )
        for bot, bot_messages in messages.grouped("bot_id").items():
            bot_messages._telegram_send(bot)
        return len(messages)

    def _telegram_send(self, bot):
        """Send these queued messages of ``bot``, one Bot API call each."""
        try:
            api = bot._telegram_api()
        except Exception as error:  # noqa: BLE001 - no token: retried later
            for message in self:
                message._telegram_sent_failed(str(error), transient=True)
            return
        for message in self:
            try:
                result = api.send_message(
                    message.chat_id.telegram_chat_id, message.text
                )
            except TelegramTransientError as error:
                message._telegram_sent_failed(
                    error.message, transient=True, retry_after=error.retry_after
                )
            except TelegramRejectedError as error:
                message._telegram_sent_failed(error.message, transient=False)
                if error.status == 403:  # the user blocked the bot
                    message.chat_id.active = False
            else:
                message.write(
                    {
                        "state": "sent",
                        "sent_date": fields.Datetime.now(),
                        "attempt_count": message.attempt_count + 1,
                        "telegram_message_id": (result or {}).get("message_id"),
                        "error": False,
                    }
                )

    def _telegram_sent_failed(self, reason, transient, retry_after=None):
        self.ensure_one()
        attempts = self.attempt_count + 1
        if not transient or attempts >= self.bot_id.max_attempts:
            self.write({"state": "failed", "attempt_count": attempts, "error": reason})
            return
        delay = min(
            (self.bot_id.retry_delay or 30) * 2 ** (attempts - 1), MAX_RETRY_DELAY
        )
        if retry_after:
            delay = max(delay, int(retry_after))
        next_attempt = fields.Datetime.now() + timedelta(seconds=delay)
        self.write(
            {
                "attempt_count": attempts,
                "next_attempt_at": next_attempt,
                "error": reason,
            }
        )
        self._telegram_wake_up(next_attempt)
