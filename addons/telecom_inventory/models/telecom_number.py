from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

NUMBER_STATES = [
    ("free", "Free"),
    ("reserved", "Reserved"),
    ("assigned", "Assigned"),
    ("quarantine", "Quarantine"),
    ("returned", "Returned to Donor"),
]


class TelecomNumber(models.Model):
    """One MSISDN of the operator's number pool, or a number ported in.

    Pool numbers move free -> reserved (for an activation, with an expiry while
    the request is a draft) -> assigned (activation completed) -> quarantine
    (line terminated) -> free (the quarantine cron). Ported-in numbers are
    recorded apart (``origin``): never offered from the pool, they go back to
    their donor when the line ends.
    """

    _name = "telecom.number"
    _description = "Phone Number"
    _inherit = ["mail.thread", "telecom.inventory.item"]
    _order = "msisdn"
    _rec_name = "msisdn"
    _check_company_auto = True

    # indexed by its unique constraint
    msisdn = fields.Char(string="MSISDN", required=True, readonly=True)
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    category = fields.Selection(
        [("regular", "Regular"), ("golden", "Golden")],
        required=True,
        default="regular",
        tracking=True,
        help="Golden numbers are easy to remember and sold at a price.",
    )
    price = fields.Monetary(tracking=True)
    origin = fields.Selection(
        [("pool", "Own Pool"), ("ported_in", "Ported In")],
        required=True,
        default="pool",
        readonly=True,
    )
    donor_operator_id = fields.Many2one(
        "telecom.operator", readonly=True, ondelete="restrict"
    )
    state = fields.Selection(
        NUMBER_STATES,
        string="Status",
        required=True,
        default="free",
        readonly=True,
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
    )
    request_id = fields.Many2one(
        "telecom.request",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    service_id = fields.Many2one(
        "telecom.service",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    reserved_until = fields.Datetime(readonly=True, tracking=True)
    quarantine_until = fields.Date(readonly=True, tracking=True)

    _sql_constraints = [
        ("msisdn_uniq", "unique(msisdn)", "This number is already in the inventory.")
    ]

    def init(self):
        # one live number record per service: the DB refuses a second one
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS telecom_number_service_assigned_uniq
                ON telecom_number (service_id) WHERE state = 'assigned'
            """
        )
        # picking a free number of a zone: the first one in id order, at once
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS telecom_number_free_pick_idx
                ON telecom_number (region_id, category, id)
                WHERE state = 'free' AND origin = 'pool'
            """
        )
        # the crons: the few reserved or resting numbers among millions of others
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS telecom_number_reserved_until_idx
                ON telecom_number (reserved_until) WHERE state = 'reserved';
            CREATE INDEX IF NOT EXISTS telecom_number_quarantine_until_idx
                ON telecom_number (quarantine_until) WHERE state = 'quarantine'
            """
        )

    # ------------------------------------------------------------------
    # Business methods: one per transition
    # ------------------------------------------------------------------
    @api.model
    def _pick_free(self, region, company, category="regular"):
        """A free pool number of ``region`` or a zone above it, locked for us.

        ``SKIP LOCKED``: two agents picking at once get two different numbers.
        """
        zone_ids = [
            int(zone_id) for zone_id in region.parent_path.split("/") if zone_id
        ]
        self.flush_model(["state", "region_id", "category", "origin"])
        self.env.cr.execute(
            """
            SELECT id FROM telecom_number
             WHERE state = 'free' AND origin = 'pool' AND category = %s
               AND region_id = ANY(%s) AND company_id = %s
             ORDER BY id LIMIT 1
             FOR UPDATE SKIP LOCKED
            """,
            [category, zone_ids, company.id],
        )
        row = self.env.cr.fetchone()
        return self.browse(row[0] if row else [])

    def _reserve(self, request, expires=True):
        """Hold the numbers for ``request`` (with an expiry while it is a draft)."""
        self._lock()
        unavailable = self.filtered(
            lambda number: (
                number.state != "free"
                and not (number.state == "reserved" and number.request_id == request)
            )
        )
        if unavailable:
            raise UserError(
                self.env._(
                    "Number %(number)s is not free.",
                    number=", ".join(unavailable.mapped("msisdn")),
                )
            )
        hours = request.company_id.telecom_number_reservation_hours
        self.write(
            {
                "state": "reserved",
                "request_id": request.id,
                "partner_id": request.partner_id.id,
                "reserved_until": expires
                and fields.Datetime.now() + timedelta(hours=hours),
            }
        )

    def _assign(self, service):
        self._lock()
        if self.filtered(lambda number: number.state not in ("free", "reserved")):
            raise UserError(
                self.env._(
                    "Number %(number)s is already in use.",
                    number=", ".join(self.mapped("msisdn")),
                )
            )
        self.write(
            {
                "state": "assigned",
                "service_id": service.id,
                "partner_id": service.partner_id.id,
                "reserved_until": False,
            }
        )

    def _release(self):
        """Reserved numbers go back to the free pool."""
        self.filtered(lambda number: number.state == "reserved").write(
            {
                "state": "free",
                "request_id": False,
                "partner_id": False,
                "reserved_until": False,
            }
        )

    def _end_of_service(self):
        """A line ended: pool numbers rest in quarantine, ported-in ones go back."""
        assigned = self.filtered(lambda number: number.state == "assigned")
        pool = assigned.filtered(lambda number: number.origin == "pool")
        for company, numbers in pool.grouped("company_id").items():
            numbers.write(
                {
                    "state": "quarantine",
                    "quarantine_until": fields.Date.context_today(numbers)
                    + timedelta(days=company.telecom_number_quarantine_days),
                    "service_id": False,
                    "request_id": False,
                    "partner_id": False,
                }
            )
        (assigned - pool).write({"state": "returned", "service_id": False})

    @api.model
    def _record_ported_in(self, requests):
        """Numbers ported in by ``requests`` (done), recorded apart from the pool."""
        msisdns = [request.service_id.msisdn for request in requests]
        # sudo: a number is unique across zones the agent may not see
        existing = self.sudo().search([("msisdn", "in", msisdns)])
        by_msisdn = {number.msisdn: number for number in existing}
        vals_list = []
        for request in requests:
            service = request.service_id
            number = by_msisdn.get(service.msisdn)
            vals = {
                "state": "assigned",
                "service_id": service.id,
                "partner_id": service.partner_id.id,
                "origin": "ported_in",
                "donor_operator_id": request.donor_operator_id.id,
                "region_id": service.region_id.id,
                "company_id": service.company_id.id,
            }
            if number:
                number.write(vals)
            else:
                vals_list.append(dict(vals, msisdn=service.msisdn))
        return self.sudo().create(vals_list)

    # ------------------------------------------------------------------
    # Crons: batched, each batch its own set-based write
    # ------------------------------------------------------------------
    @api.model
    def _cron_expire_reservations(self, batch_size=1000):
        expired = self.search(
            [
                ("state", "=", "reserved"),
                ("reserved_until", "<=", fields.Datetime.now()),
            ],
            limit=batch_size,
        )
        expired.request_id.number_id = False
        expired._release()
        self._notify_progress(expired, batch_size)
        return len(expired)

    @api.model
    def _cron_release_quarantine(self, batch_size=1000):
        rested = self.search(
            [
                ("state", "=", "quarantine"),
                ("quarantine_until", "<=", fields.Date.context_today(self)),
            ],
            limit=batch_size,
        )
        rested.write({"state": "free", "quarantine_until": False})
        self._notify_progress(rested, batch_size)
        return len(rested)

    @api.model
    def _notify_progress(self, done, batch_size):
        """Tell the cron runner to call again while full batches come."""
        remaining = batch_size if len(done) == batch_size else 0
        self.env["ir.cron"]._notify_progress(done=len(done), remaining=remaining)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_release(self):
        """Back office: give a reserved number back to the pool."""
        self._release()
        return True
