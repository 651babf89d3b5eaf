from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..tools.numbering import normalize_iccid, normalize_imsi, normalize_msisdn
from ..tools.selections import ACCESS_TECHNOLOGIES, SERVICE_TYPES


class TelecomRequest(models.Model):
    """Activation of a new service; its fields also serve port-ins and SIM swaps."""

    _inherit = "telecom.request"

    new_service_type = fields.Selection(
        SERVICE_TYPES, string="Service Type", default="mobile"
    )
    tariff_id = fields.Many2one(
        "product.product",
        string="Tariff Plan",
        domain="[('telecom_kind', '=', 'tariff')]",
        ondelete="restrict",
        tracking=True,
    )
    option_ids = fields.Many2many(
        "product.product",
        "telecom_request_option_rel",
        "request_id",
        "product_id",
        string="Options",
        domain="[('telecom_kind', '=', 'option')]",
    )
    msisdn = fields.Char(string="MSISDN", copy=False)
    iccid = fields.Char(string="ICCID", copy=False)
    imsi = fields.Char(string="IMSI", copy=False)
    installation_address = fields.Char()
    access_technology = fields.Selection(ACCESS_TECHNOLOGIES)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_request_identifiers(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalize_request_identifiers(vals)
        return super().write(vals)

    def _normalize_request_identifiers(self, vals):
        normalizers = {
            "msisdn": normalize_msisdn,
            "iccid": normalize_iccid,
            "imsi": normalize_imsi,
        }
        for field_name, normalize in normalizers.items():
            if vals.get(field_name):
                vals[field_name] = normalize(self.env, vals[field_name])

    def _check_submitted_activation(self):
        for request in self:
            request._check_new_line()

    def _on_submitted_activation(self):
        self._create_pending_services()

    def _on_done_activation(self):
        self.service_id._apply_state("active", requests=self)

    def _on_rejected_activation(self):
        self._release_pending_services()

    def _on_cancelled_activation(self):
        self._release_pending_services()

    def _event_payload_activation(self):
        return {
            "msisdn": self.msisdn or self.service_id.msisdn or None,
            "iccid": self.iccid or None,
            "tariff_code": self.tariff_id.telecom_billing_code or None,
            "option_codes": self.option_ids.mapped("telecom_billing_code"),
        }

    def _check_new_line(self):
        """Check the data a new line needs: account, tariff, identifiers, options."""
        self.ensure_one()
        if not self.account_id:
            raise UserError(
                self.env._("Choose the account the new service belongs to.")
            )
        if (
            not self.tariff_id
            or self.tariff_id.telecom_service_type != self.new_service_type
        ):
            raise UserError(
                self.env._("Choose a tariff plan made for this type of service.")
            )
        if self.new_service_type == "mobile" and not (self.msisdn and self.iccid):
            raise UserError(
                self.env._("A mobile line needs an MSISDN and a SIM card (ICCID).")
            )
        if (
            self.new_service_type in ("broadband", "fixed_voice")
            and not self.installation_address
        ):
            raise UserError(
                self.env._("A fixed service needs an installation address.")
            )
        self._check_options_allowed(self.tariff_id, self.option_ids)
        self._check_identifiers_free()

    def _check_identifiers_free(self):
        Service = self.env["telecom.service"]
        for field_name in ("msisdn", "iccid"):
            taken = Service._find_live(field_name, [self[field_name]])
            if taken:
                raise UserError(
                    self.env._(
                        "%(value)s is already used by another service.",
                        value=self[field_name],
                    )
                )

    def _check_options_allowed(self, tariff, options):
        incompatible = options.filtered(
            lambda option: (
                not tariff.product_tmpl_id._telecom_allows_option(
                    option.product_tmpl_id
                )
            )
        )
        if incompatible:
            raise UserError(
                self.env._(
                    "Options %(options)s cannot be added to tariff %(tariff)s.",
                    options=", ".join(incompatible.mapped("display_name")),
                    tariff=tariff.display_name,
                )
            )

    def _create_pending_services(self):
        # numbers freed by a request cancelled in this transaction: flush them first
        self.env["telecom.service"].flush_model(["state"])
        services = self.env["telecom.service"].create(
            [request._prepare_service_vals() for request in self]
        )
        for request, service in zip(self, services, strict=True):
            request.service_id = service

    def _prepare_service_vals(self):
        self.ensure_one()
        return {
            "service_type": self.new_service_type,
            "account_id": self.account_id.id,
            "region_id": self.region_id.id,
            "tariff_id": self.tariff_id.id,
            "option_ids": [Command.set(self.option_ids.ids)],
            "msisdn": self.msisdn,
            "iccid": self.iccid,
            "imsi": self.imsi,
            "installation_address": self.installation_address,
            "access_technology": self.access_technology,
        }

    def _release_pending_services(self):
        """A new line that never went live frees its number and SIM card."""
        pending_requests = self.filtered(
            lambda request: request.service_id.state == "pending"
        )
        pending_requests.service_id._apply_state(
            "terminated", requests=pending_requests
        )
