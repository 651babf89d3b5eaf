from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_subscriber.tools.numbering import normalize_iccid

MAX_CARDS = 100_000


def luhn_digit(body):
    """The Luhn check digit of ``body``, computed directly (one pass)."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = ord(char) - 48
        if not position % 2:  # doubled: the check digit will take position 0
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str(-total % 10)


class TelecomSimLoad(models.TransientModel):
    """Receive a range of SIM cards (or eSIM profiles) into a stock location.

    The ICCIDs follow the first one (its check digit recomputed for each, Luhn)
    and are inserted in one statement; cards already in stock are skipped.
    """

    _name = "telecom.sim.load"
    _description = "Receive a SIM Range"

    location_id = fields.Many2one(
        "telecom.stock.location", string="Stock Location", required=True
    )
    sim_type = fields.Selection(
        [("physical", "Physical SIM"), ("esim", "eSIM")],
        string="Type",
        required=True,
        default="physical",
    )
    first_iccid = fields.Char(string="First ICCID", required=True)
    quantity = fields.Integer(required=True, default=100)

    def _iccids(self):
        """The ICCIDs of the range, each with its Luhn check digit."""
        self.ensure_one()
        if not 0 < self.quantity <= MAX_CARDS:
            raise UserError(
                self.env._(
                    "Receive between 1 and %(count)s cards at once.",
                    count=MAX_CARDS,
                )
            )
        first = normalize_iccid(self.env, self.first_iccid)
        body, width = int(first[:-1]), len(first) - 1
        bodies = (str(body + offset).zfill(width) for offset in range(self.quantity))
        iccids = [digits + luhn_digit(digits) for digits in bodies]
        if len(iccids[-1]) != len(first):
            raise UserError(self.env._("The range runs past the last ICCID."))
        return iccids

    def action_load(self):
        self.ensure_one()
        self.env["telecom.sim"].check_access("create")
        created = self._insert_cards(self._iccids())
        return self.env["telecom.number.load"]._notify(
            self.env._("%(count)s SIM cards received.", count=created)
        )

    @api.model
    def _create_and_load(self, vals):
        """Receive a range in one call (demo data, scripts)."""
        return self.create(vals).action_load()

    def _insert_cards(self, iccids):
        Sim = self.env["telecom.sim"]
        Sim.flush_model()
        self.env.cr.execute(
            """
            INSERT INTO telecom_sim (
                iccid, sim_type, location_id, region_id, company_id, state,
                create_uid, create_date, write_uid, write_date)
            SELECT iccid, %(type)s, %(location)s, %(region)s, %(company)s, 'in_stock',
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM unnest(%(iccids)s::varchar[]) iccid
            ON CONFLICT (iccid) DO NOTHING
            """,
            {
                "type": self.sim_type,
                "location": self.location_id.id,
                "region": self.location_id.region_id.id,
                "company": self.location_id.company_id.id,
                "uid": self.env.uid,
                "iccids": iccids,
            },
        )
        Sim.invalidate_model()
        return self.env.cr.rowcount
