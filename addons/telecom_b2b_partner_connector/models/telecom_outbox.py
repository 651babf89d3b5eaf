from odoo import fields, models


class TelecomOutbox(models.Model):
    """Adjustments of credit statements: billing's answer moves the statement."""

    _inherit = "telecom.outbox"

    b2b_credit_statement_id = fields.Many2one(
        "telecom.b2b.credit.statement",
        string="Credit Statement",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )

    def _bss_after_delivered(self):
        result = super()._bss_after_delivered()
        self.b2b_credit_statement_id._b2b_on_billing_done()
        return result

    def _bss_mark_rejected(self, error):
        result = super()._bss_mark_rejected(error)
        self.b2b_credit_statement_id._b2b_on_billing_failed(self)
        return result

    def _bss_mark_dead(self, attempt, message):
        result = super()._bss_mark_dead(attempt, message)
        self.b2b_credit_statement_id._b2b_on_billing_failed(self)
        return result
