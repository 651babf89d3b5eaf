import base64
import io
import secrets

import qrcode

from odoo import api, fields, models
from odoo.exceptions import UserError

SIM_STATES = [
    ("in_stock", "In Stock"),
    ("assigned", "Assigned"),
    ("retired", "Retired"),
    ("damaged", "Damaged"),
    ("lost", "Lost"),
]
# reason of a SIM swap -> state of the card it replaces
SWAPPED_SIM_STATES = {"lost": "lost", "damaged": "damaged", "format": "retired"}


class TelecomSim(models.Model):
    """A SIM or eSIM profile of the stock of a shop or warehouse.

    in stock -> assigned (activation or SIM swap completed) -> retired (line
    ended, card replaced), damaged or lost. A card is assigned once: the state
    moves under a row lock (``NOWAIT``: a second agent gets an error at once)
    and a partial unique index keeps one assigned card per service.
    """

    _name = "telecom.sim"
    _description = "SIM Card"
    _inherit = ["mail.thread", "telecom.inventory.item"]
    _order = "iccid"
    _rec_name = "iccid"
    _check_company_auto = True

    # indexed by its unique constraint
    iccid = fields.Char(string="ICCID", required=True, readonly=True)
    sim_type = fields.Selection(
        [("physical", "Physical SIM"), ("esim", "eSIM")],
        string="Type",
        required=True,
        default="physical",
        readonly=True,
    )
    location_id = fields.Many2one(
        "telecom.stock.location",
        string="Stock Location",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    region_id = fields.Many2one(
        related="location_id.region_id", store=True, index=True, string="Zone"
    )
    company_id = fields.Many2one(
        related="location_id.company_id", store=True, index=True
    )
    state = fields.Selection(
        SIM_STATES,
        string="Status",
        required=True,
        default="in_stock",
        readonly=True,
        index=True,
        tracking=True,
    )
    service_id = fields.Many2one(
        "telecom.service",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
    )
    partner_id = fields.Many2one(related="service_id.partner_id", string="Subscriber")
    date_assigned = fields.Datetime(readonly=True)
    activation_code = fields.Char(
        readonly=True,
        copy=False,
        help="LPA activation code of an eSIM profile, issued when it is assigned.",
    )
    activation_qr = fields.Binary(
        string="Activation QR Code", compute="_compute_activation_qr"
    )

    _sql_constraints = [
        ("iccid_uniq", "unique(iccid)", "This SIM card is already in the stock.")
    ]

    def init(self):
        # a service holds one assigned card: a second assignment fails in the DB
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS telecom_sim_service_assigned_uniq
                ON telecom_sim (service_id) WHERE state = 'assigned'
            """
        )

    @api.depends("activation_code")
    def _compute_activation_qr(self):
        for sim in self:
            sim.activation_qr = sim.activation_code and self._qr_png(
                sim.activation_code
            )

    @api.model
    def _qr_png(self, text):
        image = qrcode.make(text, box_size=6, border=2)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return base64.b64encode(buffer.getvalue())

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _find_by_iccid(self, iccids):
        # sudo: a card is unique across the zones the agent may not see
        return self.sudo().search([("iccid", "in", [i for i in iccids if i])])

    def _check_in_stock(self):
        busy = self.filtered(lambda sim: sim.state != "in_stock")
        if busy:
            raise UserError(
                self.env._(
                    "SIM card %(iccid)s is not in stock (%(state)s).",
                    iccid=busy[0].iccid,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        busy[0].state
                    ],
                )
            )

    def _assign(self, service):
        """Hand the card (one) to ``service``; eSIMs get their activation code."""
        self.ensure_one()
        self._lock()
        self._check_in_stock()
        self.write(
            {
                "state": "assigned",
                "service_id": service.id,
                "date_assigned": fields.Datetime.now(),
                "activation_code": self.sim_type == "esim"
                and self._prepare_activation_code(),
            }
        )

    def _prepare_activation_code(self):
        """LPA string of GSMA SGP.22: ``LPA:1$<SM-DP+ address>$<matching id>``."""
        matching_id = secrets.token_hex(10).upper()
        smdp = self.company_id.telecom_esim_smdp_address or "smdp.example"
        return f"LPA:1${smdp}${matching_id}"

    def _retire(self, state="retired"):
        self.filtered(lambda sim: sim.state == "assigned").write({"state": state})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_mark_damaged(self):
        self._mark("damaged")
        return True

    def action_mark_lost(self):
        self._mark("lost")
        return True

    def _mark(self, state):
        if self.filtered(lambda sim: sim.state not in ("in_stock", "assigned")):
            raise UserError(
                self.env._(
                    "Only cards in stock or in use can be marked damaged or lost."
                )
            )
        self.write({"state": state})
