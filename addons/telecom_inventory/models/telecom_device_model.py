from odoo import api, fields, models

from odoo.addons.telecom_subscriber.tools.selections import DEVICE_TYPES


class TelecomDeviceModel(models.Model):
    """A device of the catalogue: smartphone, router, set-top box, modem…"""

    _name = "telecom.device.model"
    _description = "Device Model"
    _order = "manufacturer, name"

    name = fields.Char(required=True)
    manufacturer = fields.Char()
    device_type = fields.Selection(DEVICE_TYPES, required=True, default="smartphone")
    operating_system = fields.Char(
        string="OS", help="Operating system or firmware family (Android, iOS, …)."
    )
    is_5g_capable = fields.Boolean(string="5G-Capable")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "name_manufacturer_uniq",
            "unique(name, manufacturer)",
            "This device model is already in the catalogue.",
        )
    ]

    @api.depends("name", "manufacturer")
    def _compute_display_name(self):
        for model in self:
            model.display_name = " ".join(
                part for part in (model.manufacturer, model.name) if part
            )
