from odoo.tests import HttpCase, new_test_user, tagged

from .common import B2B_GROUP, INN_HOLDING

MOBILE_LINES = 12  # reaches the 20 % tier of 10 lines, above the 15 % threshold


@tagged("post_install", "-at_install")
class TestDealTour(HttpCase):
    """Headless Chromium, through the CRM app's menus: a B2B sales manager of
    one zone turns a partner-channel deal into a quotation with a site per
    line, approves its volume discount, confirms it and opens the contract and
    activation requests it made; then the database must hold them, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Region = cls.env["telecom.region"]
        north = Region.create({"name": "Tour B2B North", "code": "TOUR-B2B-N"})
        cls.manager = new_test_user(
            cls.env,
            login="tour_b2b_manager",
            groups=B2B_GROUP + "manager",
            telecom_region_ids=[(6, 0, north.ids)],
        )
        if "tour_enabled" in cls.manager._fields:
            cls.manager.tour_enabled = False
        cls.env.company.telecom_b2b_discount_threshold = 15.0
        Partner = cls.env["res.partner"]
        company_values = {
            "is_company": True,
            "telecom_is_subscriber": True,
            "telecom_region_id": north.id,
        }
        cls.holding = Partner.create(
            {
                "name": "Tour Holding",
                "telecom_b2b_level": "holding",
                "telecom_inn": INN_HOLDING,
                "telecom_kpp": "770901001",
                **company_values,
            }
        )
        cls.site = Partner.create(
            {
                "name": "Tour Site North",
                "telecom_b2b_level": "branch",
                "parent_id": cls.holding.id,
                "city": "Novosibirsk",
                "telecom_kpp": "770345001",
                **company_values,
            }
        )
        cls.env["telecom.account"].create(
            {"partner_id": cls.site.id, "region_id": north.id}
        )
        Product = cls.env["product.product"]
        cls.mobile = Product.create(
            {
                "name": "Tour Business Mobile",
                "type": "service",
                "telecom_kind": "tariff",
                "telecom_service_type": "mobile",
                "telecom_billing_code": "TOUR-B2B-MOB",
                "telecom_monthly_fee": 500,
                "list_price": 500,
            }
        )
        cls.installation = Product.create(
            {"name": "Tour Site Installation", "type": "service", "list_price": 5000}
        )
        cls.env["telecom.b2b.volume.discount"].create(
            {
                "product_tmpl_id": cls.mobile.product_tmpl_id.id,
                "min_quantity": 10,
                "discount": 20,
            }
        )
        dealer = Partner.create({"name": "Tour Dealer", "is_company": True})
        cls.lead = cls.env["crm.lead"].create(
            {
                "name": "Tour Fleet Deal",
                "type": "opportunity",
                "partner_id": cls.holding.id,
                "user_id": cls.manager.id,
                "telecom_b2b_channel": "partner",
                "telecom_b2b_referrer_id": dealer.id,
            }
        )

    def test_manager_turns_a_partner_deal_into_a_contract(self):
        self.start_tour(
            "/odoo",
            "telecom_b2b_partner_deal_to_contract",
            login="tour_b2b_manager",
            # some 35 steps through five screens on a loaded machine
            timeout=300,
        )
        order = self.env["sale.order"].search([("opportunity_id", "=", self.lead.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.create_uid, self.manager)
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.telecom_discount_approver_id, self.manager)
        self.assertEqual(order.telecom_discount_approved, 20.0)
        self.assertTrue(self.lead.stage_id.is_won)
        mobile_line = order.order_line.filtered(
            lambda line: line.product_id == self.mobile
        )
        self.assertEqual(
            (mobile_line.telecom_site_id, mobile_line.product_uom_qty),
            (self.site, MOBILE_LINES),
        )
        self.assertEqual(mobile_line.discount, 20.0)
        self.assertEqual(order.telecom_monthly_total, MOBILE_LINES * 500 * 0.8)
        self.assertEqual(order.telecom_one_off_total, 5000)
        contract = self.env["telecom.b2b.contract"].search(
            [("sale_order_id", "=", order.id)]
        )
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.partner_id, self.holding)
        self.assertEqual(contract.opportunity_id, self.lead)
        self.assertEqual(contract.site_ids, self.site)
        self.assertEqual(
            sorted(
                (p.product_id.name, p.quantity, p.monthly_price, p.one_off_price)
                for p in contract.price_ids
            ),
            [
                ("Tour Business Mobile", MOBILE_LINES, 500, 0),
                ("Tour Site Installation", 1, 0, 5000),
            ],
        )
        requests = self.env["telecom.request"].search(
            [("telecom_b2b_sale_line_id", "in", order.order_line.ids)]
        )
        self.assertEqual(len(requests), MOBILE_LINES)
        self.assertEqual(requests.telecom_b2b_contract_id, contract)
        self.assertEqual(set(requests.mapped("request_type")), {"activation"})
        self.assertEqual(requests.partner_id, self.site)
        self.assertEqual(requests.tariff_id, self.mobile)
        self.assertEqual(contract.activation_request_count, MOBILE_LINES)
