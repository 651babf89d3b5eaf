from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.telecom_subscriber.tools.numbering import normalize_msisdn

MAX_RANGE = 1_000_000
# golden numbers: the last four digits alike (…7777) or three pairs (…121212)
GOLDEN_PATTERN = r"(\d)\1\1\1$|(\d\d)\2\2$"


class TelecomNumberLoad(models.TransientModel):
    """Load a range of numbers into the pool in one INSERT (generate_series).

    Numbers already in the inventory are skipped; numbers live on a service
    enter as assigned to it; golden ones are recognised by their pattern.
    """

    _name = "telecom.number.load"
    _description = "Load a Number Range"

    region_id = fields.Many2one("telecom.region", string="Zone", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    first_msisdn = fields.Char(string="First Number", required=True)
    last_msisdn = fields.Char(string="Last Number", required=True)
    golden_price = fields.Monetary(
        help="Price of the golden numbers of the range (…7777, …121212)."
    )

    def _range_bounds(self):
        self.ensure_one()
        first = int(normalize_msisdn(self.env, self.first_msisdn)[1:])
        last = int(normalize_msisdn(self.env, self.last_msisdn)[1:])
        if last < first:
            raise UserError(self.env._("The last number comes before the first one."))
        if last - first >= MAX_RANGE:
            raise UserError(
                self.env._("Load at most %(count)s numbers at once.", count=MAX_RANGE)
            )
        return first, last

    def action_load(self):
        self.ensure_one()
        self.env["telecom.number"].check_access("create")
        created = self._insert_range(*self._range_bounds())
        return self._notify(
            self.env._("%(count)s numbers added to the pool.", count=created)
        )

    @api.model
    def _create_and_load(self, vals):
        """Load a range in one call (demo data, scripts)."""
        return self.create(vals).action_load()

    def _insert_range(self, first, last):
        Number = self.env["telecom.number"]
        Number.flush_model()
        self.env["telecom.service"].flush_model(["msisdn", "state", "partner_id"])
        self.env.cr.execute(
            """
            INSERT INTO telecom_number (
                msisdn, region_id, company_id, category, price, origin, state,
                service_id, partner_id,
                create_uid, create_date, write_uid, write_date)
            SELECT series.msisdn, %(region)s, %(company)s,
                   CASE WHEN series.msisdn ~ %(golden)s THEN 'golden'
                        ELSE 'regular' END,
                   CASE WHEN series.msisdn ~ %(golden)s THEN %(price)s::numeric END,
                   'pool',
                   CASE WHEN service.id IS NULL THEN 'free' ELSE 'assigned' END,
                   service.id, service.partner_id,
                   %(uid)s, now() at time zone 'UTC', %(uid)s, now() at time zone 'UTC'
              FROM (SELECT '+' || n AS msisdn
                      FROM generate_series(%(first)s::bigint, %(last)s::bigint) n
                   ) series
              LEFT JOIN telecom_service service
                ON service.msisdn = series.msisdn AND service.state != 'terminated'
            ON CONFLICT (msisdn) DO NOTHING
            """,
            {
                "region": self.region_id.id,
                "company": self.company_id.id,
                "golden": GOLDEN_PATTERN,
                "price": self.golden_price or None,
                "uid": self.env.uid,
                "first": first,
                "last": last,
            },
        )
        Number.invalidate_model()
        return self.env.cr.rowcount

    @api.model
    def _notify(self, message):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "message": message,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
