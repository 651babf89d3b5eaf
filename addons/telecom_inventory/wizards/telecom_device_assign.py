from odoo import api, fields, models

from ..models.telecom_device import OWNERSHIPS


class TelecomDeviceAssign(models.TransientModel):
    """Give a service a rented device of the stock, or record the subscriber's own."""

    _name = "telecom.device.assign"
    _description = "Assign a Device to a Service"

    service_id = fields.Many2one("telecom.service", required=True, readonly=True)
    partner_id = fields.Many2one(related="service_id.partner_id")
    ownership = fields.Selection(OWNERSHIPS, required=True, default="rented")
    device_id = fields.Many2one(
        "telecom.device",
        string="Device from Stock",
        domain="[('state', '=', 'in_stock'), ('ownership', '=', 'rented')]",
    )
    model_id = fields.Many2one("telecom.device.model")
    imei = fields.Char(string="IMEI")
    serial_number = fields.Char()

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "telecom.service":
            values.setdefault("service_id", self.env.context.get("active_id"))
        return values

    def action_assign(self):
        self.ensure_one()
        self.service_id.check_access("write")
        device = self.device_id if self.ownership == "rented" else self._create_own()
        if not device:
            raise self.env["telecom.device"]._missing_device_error()
        device._assign(self.service_id)
        return {"type": "ir.actions.act_window_close"}

    def _create_own(self):
        if not self.model_id:
            return self.env["telecom.device"]
        return self.env["telecom.device"].create(
            {
                "model_id": self.model_id.id,
                "imei": self.imei,
                "serial_number": self.serial_number,
                "ownership": "customer",
                "state": "in_stock",
                "partner_id": self.service_id.partner_id.id,
                "company_id": self.service_id.company_id.id,
            }
        )
