from odoo import fields, models

from .telecom_cti_call import CALL_OUTCOMES


class TelecomInteraction(models.Model):
    """Timeline rows of phone calls carry the queue, the times and the outcome."""

    _inherit = "telecom.interaction"

    cti_queue_id = fields.Many2one("telecom.cti.queue", string="Queue")
    cti_call_outcome = fields.Selection(CALL_OUTCOMES, string="Call Outcome")
    cti_wait_time = fields.Float(string="Wait (s)", digits=(16, 2))
    cti_talk_time = fields.Float(string="Talk (s)", digits=(16, 2))
    cti_recording_url = fields.Char(string="Recording")
    cti_transferred = fields.Boolean(string="Transferred")
