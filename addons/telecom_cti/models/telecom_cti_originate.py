from odoo import api, fields, models
from odoo.exceptions import UserError

ACTION_ID_PREFIX = "telecom-cti-originate-"


class TelecomCtiOriginate(models.Model):
    """A click-to-call: queued by the agent, sent by the connector as an AMI
    ``Originate`` (the agent's phone rings, then the number is dialled)."""

    _name = "telecom.cti.originate"
    _description = "Click-to-Call"
    _order = "id desc"
    _check_company_auto = True

    pbx_id = fields.Many2one(
        "telecom.pbx", string="Exchange", required=True, index=True, readonly=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Agent",
        required=True,
        index=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    extension = fields.Char(required=True, readonly=True)
    number = fields.Char(string="Phone Number", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Subscriber", readonly=True)
    service_id = fields.Many2one("telecom.service", readonly=True)
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("sent", "Sent to the Exchange"),
            ("connected", "Connected"),
            ("failed", "Failed"),
        ],
        default="queued",
        required=True,
        readonly=True,
        index=True,
    )
    sent_date = fields.Datetime(readonly=True)
    result = fields.Char(readonly=True)
    company_id = fields.Many2one(
        related="pbx_id.company_id", store=True, index=True, readonly=True
    )

    def _cti_action_id(self):
        self.ensure_one()
        return f"{ACTION_ID_PREFIX}{self.id}"

    @api.model
    def _cti_queue_call(self, number, partner=None, service=None):
        """Queue a click-to-call from the current user's phone to ``number``."""
        user = self.env.user
        if not number:
            raise UserError(self.env._("There is no phone number to call."))
        if not user.telecom_cti_extension:
            raise UserError(
                self.env._(
                    "Your user has no phone extension: ask an administrator to "
                    "set it in your preferences."
                )
            )
        pbx = user.telecom_cti_pbx_id or self.env["telecom.pbx"].search(
            [("company_id", "in", self.env.companies.ids)], limit=1
        )
        if not pbx:
            raise UserError(self.env._("No telephone exchange is configured."))
        originate = self.create(
            {
                "pbx_id": pbx.id,
                "user_id": user.id,
                "extension": user.telecom_cti_extension,
                "number": number,
                "partner_id": partner.id if partner else False,
                "service_id": service.id if service else False,
            }
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("Calling %(number)s", number=number),
                "message": self.env._(
                    "Your phone (extension %(extension)s) rings first; pick it up "
                    "to be connected.",
                    extension=originate.extension,
                ),
                "sticky": False,
            },
        }

    def _cti_claim(self):
        """The AMI Originate actions of these queued calls; marked as sent."""
        self.write({"state": "sent", "sent_date": fields.Datetime.now()})
        return [
            {
                "action_id": originate._cti_action_id(),
                "channel": originate.pbx_id.originate_channel.replace(
                    "{extension}", originate.extension
                ),
                "exten": originate.number,
                "context": originate.pbx_id.originate_context,
                "caller_id": originate.extension,
                "variables": [f"TELECOM_CTI_ORIGINATE={originate.id}"],
            }
            for originate in self
        ]

    @api.model
    def _cti_apply_responses(self, pbx, events):
        """``OriginateResponse`` events: the agent's phone answered or not."""
        results = {}
        for event in events:
            action_id = event.get("actionid", "")
            if action_id.startswith(ACTION_ID_PREFIX):
                suffix = action_id[len(ACTION_ID_PREFIX) :]
                if suffix.isdigit():
                    results[int(suffix)] = event
        if not results:
            return
        originates = self.search([("id", "in", list(results)), ("pbx_id", "=", pbx.id)])
        connected = originates.filtered(
            lambda originate: results[originate.id].get("response") == "Success"
        )
        connected.write({"state": "connected"})
        (originates - connected).write({"state": "failed"})
