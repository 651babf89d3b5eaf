from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.selections import SERVICE_TYPES


class ProductTemplate(models.Model):
    """Tariff plans and options of the service catalog."""

    _inherit = "product.template"

    telecom_kind = fields.Selection(
        [("tariff", "Tariff Plan"), ("option", "Option")],
        string="Telecom Catalog Item",
        index=True,
        help="Tariff plans are the base offer of a service; options are added on top.",
    )
    telecom_service_type = fields.Selection(SERVICE_TYPES, string="Service Type")
    telecom_billing_code = fields.Char(
        string="Billing Code",
        index=True,
        copy=False,
        help="Code of the offer in the billing catalog, used by imports and billing "
        "sync.",
    )
    telecom_monthly_fee = fields.Monetary(
        string="Monthly Fee", currency_field="currency_id"
    )
    telecom_included_minutes = fields.Integer(string="Included Minutes")
    telecom_included_sms = fields.Integer(string="Included SMS")
    telecom_included_data_gb = fields.Float(string="Included Data (GB)")
    telecom_speed_mbps = fields.Integer(string="Speed (Mbit/s)")
    telecom_channel_count = fields.Integer(string="TV Channels")
    telecom_compatible_option_ids = fields.Many2many(
        "product.template",
        "telecom_tariff_option_rel",
        "tariff_id",
        "option_id",
        string="Compatible Options",
        domain=[("telecom_kind", "=", "option")],
        help="Options that may be added to this tariff. Empty: every option of the "
        "same service type.",
    )

    @api.constrains("telecom_kind", "telecom_service_type")
    def _check_telecom_service_type(self):
        for template in self:
            if template.telecom_kind and not template.telecom_service_type:
                raise ValidationError(
                    self.env._(
                        "Catalog item %(name)s needs a service type.",
                        name=template.name,
                    )
                )

    @api.constrains("telecom_billing_code")
    def _check_telecom_billing_code(self):
        codes = [code for code in self.mapped("telecom_billing_code") if code]
        if not codes:
            return
        duplicates = self._read_group(
            [("telecom_billing_code", "in", codes)],
            ["telecom_billing_code"],
            having=[("__count", ">", 1)],
        )
        if duplicates:
            raise ValidationError(
                self.env._(
                    "Billing code %(code)s is already used in the catalog.",
                    code=duplicates[0][0],
                )
            )

    def _telecom_allows_option(self, option_template):
        """Tell whether ``option_template`` may be added on this tariff."""
        self.ensure_one()
        if self.telecom_compatible_option_ids:
            return option_template in self.telecom_compatible_option_ids
        return option_template.telecom_service_type == self.telecom_service_type
