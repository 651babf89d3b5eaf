from odoo import api, fields, models


class TelecomCtiQueue(models.Model):
    """A call queue of an exchange and the team answering it."""

    _name = "telecom.cti.queue"
    _description = "Call Queue"
    _order = "pbx_id, name"
    _check_company_auto = True

    name = fields.Char(
        required=True, help="Name of the queue on the exchange (Queue header)."
    )
    label = fields.Char(translate=True, help="Name shown to the agents.")
    pbx_id = fields.Many2one(
        "telecom.pbx",
        string="Exchange",
        required=True,
        ondelete="cascade",
        check_company=True,
    )
    member_ids = fields.Many2many(
        "res.users",
        "telecom_cti_queue_member_rel",
        "queue_id",
        "user_id",
        string="Team",
        help="Agents answering the queue: they see its calls and call-backs.",
    )
    callback_user_id = fields.Many2one(
        "res.users",
        string="Call-back Responsible",
        help="Gets the call-back activity of every missed or abandoned call.",
    )
    company_id = fields.Many2one(related="pbx_id.company_id", store=True, index=True)

    _sql_constraints = [
        (
            "name_pbx_uniq",
            "unique(pbx_id, name)",
            "A queue name is unique on its exchange.",
        ),
    ]

    @api.depends("label", "name")
    def _compute_display_name(self):
        for queue in self:
            queue.display_name = queue.label or queue.name

    def _callback_user(self):
        """Who calls back a missed call of this queue."""
        self.ensure_one()
        return (
            self.callback_user_id or self.member_ids[:1] or self.pbx_id.callback_user_id
        )
