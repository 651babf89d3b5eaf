from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.telecom_api import INTEGRATION_GROUP

API_SCOPES = [
    ("telecom.tmf642", "TMF642 Alarms (OSS)"),
    ("telecom.billing_events", "Billing Events"),
]


class TelecomApiKeyWizard(models.TransientModel):
    """Give an integration user an API key limited to one inbound API."""

    _name = "telecom.api.key.wizard"
    _description = "Generate an API Key for an Integration"

    user_id = fields.Many2one(
        "res.users",
        string="Integration User",
        required=True,
        domain=lambda self: [
            ("groups_id", "in", self.env.ref(INTEGRATION_GROUP).ids),
            ("share", "=", False),
        ],
    )
    scope = fields.Selection(API_SCOPES, required=True, default="telecom.tmf642")
    name = fields.Char(
        string="Description", required=True, default="OSS / billing integration"
    )
    expiration_date = fields.Date(help="Empty: the key does not expire.")
    key = fields.Char(readonly=True, help="Shown once: copy it to the other system.")

    @api.model
    def _check_admin(self):
        if not self.env.user.has_group("base.group_system"):
            raise UserError(self.env._("Only administrators generate API keys."))

    def action_generate(self):
        self.ensure_one()
        self._check_admin()
        if not self.user_id.has_group(INTEGRATION_GROUP):
            raise UserError(
                self.env._(
                    "%(user)s has no Integration (API) role.", user=self.user_id.name
                )
            )
        # sudo + with_user: a key is generated for the integration user (the key
        # table records the current user), by an administrator (checked above)
        self.key = (
            self.env["res.users.apikeys"]
            .with_user(self.user_id)
            .sudo()
            ._generate(self.scope, self.name, self.expiration_date)
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
