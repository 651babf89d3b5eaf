from odoo import models


class HelpdeskTicket(models.Model):
    """Tracked changes of many tickets (an escalation level raised by the scan,
    an incident link, a raised priority) logged in one create of messages and
    one of tracking values, not two statements per ticket
    (``telecom.tracking.batch.mixin``; the messages are mail's)."""

    _name = "helpdesk.ticket"
    _inherit = ["telecom.tracking.batch.mixin", "helpdesk.ticket"]
