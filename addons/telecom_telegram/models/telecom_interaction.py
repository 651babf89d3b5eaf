from odoo import fields, models


class TelecomInteraction(models.Model):
    """Telegram conversations on the timeline: one row per conversation, its
    messages as the transcript."""

    _inherit = "telecom.interaction"

    channel = fields.Selection(
        selection_add=[("telegram", "Telegram")],
        ondelete={"telegram": lambda rows: rows.write({"channel": "messenger"})},
    )
    telegram_topics = fields.Char(
        readonly=True,
        help="What the subscriber asked the bot in this conversation.",
    )
    telegram_message_ids = fields.One2many(
        "telecom.telegram.message",
        "interaction_id",
        string="Telegram Messages",
        readonly=True,
    )
