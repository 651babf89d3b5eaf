from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.telecom_subscriber.tools.numbering import luhn_is_valid
from odoo.addons.telecom_subscriber.tools.selections import DEVICE_TYPES

DEVICE_STATES = [
    ("in_stock", "In Stock"),
    ("assigned", "Assigned"),
    ("returned", "Returned"),
    ("damaged", "Damaged"),
    ("lost", "Lost"),
]
OWNERSHIPS = [
    ("rented", "Rented from the Operator"),
    ("customer", "Owned by the Subscriber"),
]
# states from which a device of the subscriber's own is recorded on a service
FREE_STATES = ("in_stock", "returned")
# the device types a service of each type may hold
DEVICE_TYPES_BY_SERVICE = {
    "mobile": ("smartphone", "feature_phone", "tablet", "router", "modem", "other"),
    "broadband": ("router", "modem", "other"),
    "fixed_voice": ("router", "modem", "other"),
    "iptv": ("set_top_box", "other"),
    "vas": tuple(code for code, __ in DEVICE_TYPES),
}


class TelecomDevice(models.Model):
    """A handset or a CPE (router, set-top box, modem) of a subscriber.

    Rented devices belong to a stock location of the operator: in stock ->
    assigned (to a service) -> returned (back in their location, to be checked)
    -> in stock again, or damaged or lost. The subscriber's own devices are
    recorded on their service (assigned) and detached from it (returned).
    A device serves one service at a time: its row is locked and its state
    checked when it is assigned.
    """

    _name = "telecom.device"
    _description = "Device"
    _inherit = ["mail.thread", "telecom.inventory.item"]
    _order = "id desc"
    _check_company_auto = True
    _rec_names_search = ["imei", "serial_number", "model_id"]

    imei = fields.Char(
        string="IMEI",
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="15 digits, the last one a Luhn check digit (handsets, mobile routers).",
    )
    serial_number = fields.Char(
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Serial number of a device without IMEI (routers, set-top boxes).",
    )
    model_id = fields.Many2one(
        "telecom.device.model",
        required=True,
        ondelete="restrict",
        tracking=True,
    )
    device_type = fields.Selection(
        related="model_id.device_type", store=True, string="Type"
    )
    is_5g_capable = fields.Boolean(related="model_id.is_5g_capable", string="5G")
    ownership = fields.Selection(
        OWNERSHIPS, required=True, default="rented", tracking=True
    )
    state = fields.Selection(
        DEVICE_STATES,
        string="Status",
        required=True,
        default="in_stock",
        readonly=True,
        index=True,
        tracking=True,
    )
    location_id = fields.Many2one(
        "telecom.stock.location",
        string="Stock Location",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Where a rented device is kept and where it returns.",
    )
    service_id = fields.Many2one(
        "telecom.service",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        help="The subscriber using the device (the owner of a device of their own).",
    )
    date_assigned = fields.Datetime(readonly=True, copy=False)
    date_returned = fields.Datetime(readonly=True, copy=False)
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        compute="_compute_region_id",
        store=True,
        index=True,
        precompute=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        ("imei_uniq", "unique(imei)", "A device with this IMEI is already recorded."),
        (
            "serial_model_uniq",
            "unique(serial_number, model_id)",
            "A device of this model with this serial number is already recorded.",
        ),
        (
            "identified",
            "CHECK(imei IS NOT NULL OR serial_number IS NOT NULL)",
            "A device needs an IMEI or a serial number.",
        ),
        (
            "assigned_to_service",
            "CHECK(state != 'assigned' OR service_id IS NOT NULL)",
            "An assigned device is assigned to a service.",
        ),
    ]

    @api.depends("service_id.region_id", "location_id.region_id", "partner_id")
    def _compute_region_id(self):
        for device in self:
            device.region_id = (
                device.service_id.region_id
                or device.location_id.region_id
                or device.partner_id.commercial_partner_id.telecom_region_id
            )

    @api.depends("model_id", "imei", "serial_number")
    def _compute_display_name(self):
        for device in self:
            device.display_name = (
                f"{device.model_id.display_name or ''} "
                f"({device.imei or device.serial_number or ''})"
            ).strip()

    @api.constrains("imei")
    def _check_imei(self):
        for device in self.filtered("imei"):
            imei = device.imei
            if not (len(imei) == 15 and imei.isdigit() and luhn_is_valid(imei)):
                raise ValidationError(
                    self.env._(
                        "%(imei)s is not a valid IMEI (15 digits with a Luhn "
                        "check digit).",
                        imei=imei,
                    )
                )

    @api.constrains("ownership", "location_id", "partner_id")
    def _check_ownership(self):
        for device in self:
            if device.ownership == "rented" and not device.location_id:
                raise ValidationError(
                    self.env._("A rented device belongs to a stock location.")
                )
            if device.ownership == "customer" and not device.partner_id:
                raise ValidationError(
                    self.env._("A device of the subscriber's own needs its owner.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._normalize_identifiers(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._normalize_identifiers(vals)
        return super().write(vals)

    @api.model
    def _normalize_identifiers(self, vals):
        for field_name in ("imei", "serial_number"):
            if vals.get(field_name):
                value = "".join(vals[field_name].split())
                if field_name == "imei":
                    value = value.replace("-", "")
                vals[field_name] = value.upper()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_return(self):
        """The device leaves its service: a rented one is back in its stock
        location (to be checked), the subscriber's own is detached."""
        if self.filtered(lambda device: device.state != "assigned"):
            raise UserError(self.env._("Only assigned devices can be returned."))
        self._return()
        return True

    def action_restock(self):
        """A returned rented device checked in the shop: back in stock."""
        if self.filtered(
            lambda device: device.state != "returned" or device.ownership != "rented"
        ):
            raise UserError(
                self.env._("Only returned rented devices go back in stock.")
            )
        self.write({"state": "in_stock", "partner_id": False})
        return True

    def action_mark_damaged(self):
        self._mark("damaged")
        return True

    def action_mark_lost(self):
        self._mark("lost")
        return True

    def _mark(self, state):
        if self.filtered(lambda device: device.state == state):
            raise UserError(self.env._("The device is in this state already."))
        self.write({"state": state, "service_id": False})

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _assign(self, service):
        """Hand the device (one) to ``service``, under a row lock: a device
        serves one service at a time."""
        self.ensure_one()
        self._lock()
        self._check_assignable(service)
        self.write(
            {
                "state": "assigned",
                "service_id": service.id,
                "partner_id": service.partner_id.id,
                "date_assigned": fields.Datetime.now(),
                "date_returned": False,
            }
        )

    def _check_assignable(self, service):
        """Raise unless the device (one, locked) may serve ``service``."""
        # a rented device is checked in the shop before it serves again
        free_states = ("in_stock",) if self.ownership == "rented" else FREE_STATES
        if self.state not in free_states:
            raise UserError(
                self.env._(
                    "Device %(device)s is not available (%(state)s).",
                    device=self.display_name,
                    state=self._label("state", self.state),
                )
            )
        if service.state == "terminated":
            raise UserError(self.env._("The service is terminated."))
        allowed_types = DEVICE_TYPES_BY_SERVICE.get(service.service_type, ())
        if self.device_type not in allowed_types:
            raise UserError(
                self.env._(
                    "A %(device_type)s does not serve a %(service_type)s service.",
                    device_type=self._label("device_type", self.device_type),
                    service_type=service._fields["service_type"].convert_to_export(
                        service.service_type, service
                    ),
                )
            )
        owner = self.partner_id.commercial_partner_id
        if self.ownership == "customer" and owner != service.partner_id:
            raise UserError(self.env._("The device belongs to another subscriber."))

    def _label(self, field_name, value):
        """The translated label of ``value`` of the selection ``field_name``."""
        return self._fields[field_name].convert_to_export(value, self)

    @api.model
    def _missing_device_error(self):
        return UserError(self.env._("Choose a device of the stock, or its model."))

    def _return(self):
        rented = self.filtered(lambda device: device.ownership == "rented")
        values = {
            "state": "returned",
            "service_id": False,
            "date_returned": fields.Datetime.now(),
        }
        rented.write({**values, "partner_id": False})
        (self - rented).write(values)
