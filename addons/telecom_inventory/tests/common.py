from odoo.addons.telecom_subscriber.tests.common import TelecomCommon, make_iccid

# ranges of the tests: far from the numbers TelecomCommon makes (+7916000xxxx)
NORTH_FIRST, NORTH_LAST = "+79165550000", "+79165550009"
SOUTH_FIRST, SOUTH_LAST = "+79135550000", "+79135550004"


class InventoryCommon(TelecomCommon):
    """TelecomCommon with a number pool per zone and SIM stock in two shops."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Location = cls.env["telecom.stock.location"]
        cls.shop_north = Location.create(
            {
                "name": "North Shop",
                "code": "T-SHOP-N",
                "region_id": cls.zone_north_city.id,
            }
        )
        cls.shop_south = Location.create(
            {"name": "South Shop", "code": "T-SHOP-S", "region_id": cls.zone_south.id}
        )
        cls._load_numbers(cls.zone_north, NORTH_FIRST, NORTH_LAST, golden_price=5000)
        cls._load_numbers(cls.zone_south, SOUTH_FIRST, SOUTH_LAST)
        cls.first_sim = make_iccid(900000)
        cls._load_sims(cls.shop_north, cls.first_sim, 5)
        cls.first_esim = make_iccid(910000)
        cls._load_sims(cls.shop_north, cls.first_esim, 2, sim_type="esim")
        cls.first_south_sim = make_iccid(920000)
        cls._load_sims(cls.shop_south, cls.first_south_sim, 2)
        cls.Number = cls.env["telecom.number"]
        cls.Sim = cls.env["telecom.sim"]

    @classmethod
    def _load_numbers(cls, zone, first, last, golden_price=0):
        return cls.env["telecom.number.load"]._create_and_load(
            {
                "region_id": zone.id,
                "first_msisdn": first,
                "last_msisdn": last,
                "golden_price": golden_price,
            }
        )

    @classmethod
    def _load_sims(cls, location, first_iccid, quantity, sim_type="physical"):
        return cls.env["telecom.sim.load"]._create_and_load(
            {
                "location_id": location.id,
                "first_iccid": first_iccid,
                "quantity": quantity,
                "sim_type": sim_type,
            }
        )

    def _number(self, msisdn):
        return self.Number.search([("msisdn", "=", msisdn)])

    def _sim(self, iccid):
        return self.Sim.search([("iccid", "=", iccid)])

    def _activation(self, account, env=None, **values):
        env = env or self.env
        return env["telecom.request"].create(
            {
                "request_type": "activation",
                "partner_id": account.partner_id.id,
                "account_id": account.id,
                "new_service_type": "mobile",
                "tariff_id": self.tariff_basic.id,
                **values,
            }
        )

    def _terminate(self, service):
        request = self._new_request("termination", service, termination_reason="price")
        request.action_submit()
        request.action_complete()
        return request
