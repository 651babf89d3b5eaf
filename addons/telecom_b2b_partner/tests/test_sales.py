from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import B2bCommon


@tagged("post_install", "-at_install")
class TestSales(B2bCommon):
    """The B2B pipeline as its sellers and managers work it: volume tiers,
    discount approval, the won deal's contract and activation requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.telecom_b2b_discount_threshold = 15.0
        cls.installation = cls.env["product.product"].create(
            {"name": "T Site Installation", "type": "service", "list_price": 5000}
        )
        Tier = cls.env["telecom.b2b.volume.discount"]
        Tier.create(
            [
                {
                    "product_tmpl_id": cls.tariff_basic.product_tmpl_id.id,
                    "min_quantity": 10,
                    "discount": 10,
                },
                {"min_quantity": 50, "discount": 12},
                {
                    "product_tmpl_id": cls.tariff_basic.product_tmpl_id.id,
                    "min_quantity": 100,
                    "discount": 20,
                },
            ]
        )

    def _opportunity(self, user, **values):
        return (
            self.env["crm.lead"]
            .with_user(user)
            .create(
                {
                    "name": "T Deal",
                    "type": "opportunity",
                    "partner_id": self.holding.id,
                    **values,
                }
            )
        )

    def _quotation(self, user, lines, opportunity=None):
        return (
            self.env["sale.order"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.holding.id,
                    "opportunity_id": opportunity and opportunity.id,
                    "order_line": [(0, 0, line) for line in lines],
                }
            )
        )

    def _line(self, product, quantity, site=None, **values):
        return {
            "product_id": product.id,
            "product_uom_qty": quantity,
            "telecom_site_id": site and site.id,
            **values,
        }

    def test_volume_tiers_count_the_quotations_quantity_of_the_product(self):
        order = self._quotation(
            self.seller_north,
            [
                self._line(self.tariff_basic, 5, self.site_north),
                self._line(self.tariff_basic, 4, self.site_south),
                self._line(self.tariff_unlimited, 60),
            ],
        )
        # 9 basic lines over two sites: below the tier of 10; 60 unlimited: 12 %
        self.assertEqual(order.order_line.mapped("discount"), [0, 0, 12])
        lines = order.with_user(self.seller_north).order_line
        # one more line at the South site: 10 together, every basic line at 10 %
        lines[1].product_uom_qty = 5
        self.assertEqual(order.order_line.mapped("discount"), [10, 10, 12])
        # a new line of the product brings the total to 50: the tier of any product
        order.with_user(self.seller_north).order_line = [
            Command.create(self._line(self.tariff_basic, 40))
        ]
        self.assertEqual(order.order_line.mapped("discount"), [12, 12, 12, 12])
        # and to 100: the product's own 20 % tier
        lines[0].product_uom_qty = 55
        self.assertEqual(order.order_line.mapped("discount"), [20, 20, 12, 20])
        # removing lines takes the others back down
        order.order_line.filtered(lambda line: line.product_uom_qty == 40).unlink()
        self.assertEqual(order.order_line.mapped("discount"), [12, 12, 12])

    def test_volume_tiers_do_not_touch_other_quotations(self):
        """Lines of a non-corporate quotation keep their own discount when
        another line of the quotation changes."""
        private = self.env["res.partner"].create({"name": "T Private"})
        order = self.env["sale.order"].create(
            {
                "partner_id": private.id,
                "order_line": [
                    Command.create(self._line(self.tariff_basic, 60, discount=3)),
                    Command.create(self._line(self.tariff_basic, 60)),
                ],
            }
        )
        order.order_line[1].product_uom_qty = 100
        self.assertEqual(order.order_line.mapped("discount"), [3, 0])

    def test_fees_are_monthly_for_the_catalog_and_one_off_otherwise(self):
        order = self._quotation(
            self.seller_north,
            [
                self._line(self.tariff_basic, 2, price_unit=300),
                self._line(self.installation, 1, price_unit=5000),
            ],
        )
        self.assertEqual(
            order.order_line.mapped("telecom_fee_type"), ["monthly", "one_off"]
        )
        self.assertEqual(order.telecom_monthly_total, 600)
        self.assertEqual(order.telecom_one_off_total, 5000)

    def test_discount_above_threshold_needs_a_b2b_manager(self):
        order = self._quotation(
            self.seller_north, [self._line(self.tariff_basic, 100, price_unit=300)]
        )
        self.assertEqual(order.order_line.discount, 20)
        self.assertTrue(order.telecom_discount_approval_needed)
        as_seller = order.with_user(self.seller_north)
        with self.assertRaisesRegex(UserError, "must approve it first"):
            as_seller.action_confirm()
        with self.assertRaisesRegex(UserError, "must approve it first"):
            as_seller.action_quotation_send()
        # the seller can neither approve nor write the approval
        with self.assertRaises(AccessError):
            as_seller.action_telecom_approve_discount()
        with self.assertRaises(AccessError):
            as_seller.write({"telecom_discount_approved": 50})
        order.with_user(self.b2b_manager).action_telecom_approve_discount()
        self.assertEqual(order.telecom_discount_approver_id, self.b2b_manager)
        self.assertFalse(order.telecom_discount_approval_needed)
        # a bigger discount after the approval needs a new one
        as_seller.order_line.discount = 25
        with self.assertRaisesRegex(UserError, "must approve it first"):
            as_seller.action_confirm()
        as_seller.order_line.discount = 18
        as_seller.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_discount_within_threshold_needs_no_approval(self):
        order = self._quotation(
            self.seller_north, [self._line(self.tariff_basic, 10, price_unit=300)]
        )
        self.assertEqual(order.order_line.discount, 10)
        order.with_user(self.seller_north).action_confirm()
        self.assertEqual(order.state, "sale")

    def test_won_deal_becomes_contract_and_activation_requests(self):
        # a seller of both zones sells to sites of both
        seller = new_test_user(
            self.env,
            login="t_b2b_both",
            groups="telecom_b2b_partner.telecom_b2b_partner_group_user",
            telecom_region_ids=[(6, 0, (self.zone_north | self.zone_south).ids)],
        )
        opportunity = self._opportunity(
            seller,
            telecom_b2b_channel="partner",
            telecom_b2b_referrer_id=self.entity_north.id,
        )
        order = self._quotation(
            seller,
            [
                self._line(self.tariff_basic, 3, self.site_north, price_unit=300),
                self._line(self.installation, 1, self.site_north, price_unit=5000),
                self._line(self.tariff_home, 1, self.site_south, price_unit=600),
            ],
            opportunity,
        )
        order.with_user(seller).action_confirm()

        self.assertTrue(opportunity.stage_id.is_won)
        contract = order.telecom_b2b_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.partner_id, self.holding)
        self.assertEqual(contract.opportunity_id, opportunity)
        self.assertEqual(contract.site_ids, self.site_north | self.site_south)
        self.assertEqual(contract.monthly_amount, 3 * 300 + 600)
        installation_term = contract.price_ids.filtered(
            lambda price: price.product_id == self.installation
        )
        self.assertEqual(installation_term.one_off_price, 5000)
        self.assertFalse(installation_term.monthly_price)

        requests = order.order_line.telecom_activation_request_ids
        self.assertEqual(len(requests), 4)
        self.assertEqual(set(requests.mapped("state")), {"draft"})
        self.assertEqual(set(requests.mapped("request_type")), {"activation"})
        self.assertEqual(requests.telecom_b2b_contract_id, contract)
        north = requests.filtered(lambda request: request.partner_id == self.site_north)
        self.assertEqual(len(north), 3)
        self.assertEqual(north.tariff_id, self.tariff_basic)
        self.assertEqual(north.account_id, self.line_north.account_id)
        south = requests - north
        self.assertEqual(south.partner_id, self.site_south)
        self.assertEqual(south.new_service_type, "broadband")
        self.assertEqual(south.region_id, self.zone_south)
        # the front office of each zone completes its own sites' requests
        visible = self.env["telecom.request"].with_user(self.front_office_south)
        self.assertEqual(visible.search([("id", "in", requests.ids)]), south)

        # confirming again (after a cancel) creates nothing twice
        order._action_cancel()
        order.action_draft()
        order.with_user(seller).action_confirm()
        self.assertEqual(order.telecom_b2b_contract_ids, contract)
        self.assertEqual(order.order_line.telecom_activation_request_ids, requests)

    def test_options_sold_go_on_the_activation_requests_of_their_site(self):
        order = self._quotation(
            self.b2b_manager,
            [
                self._line(self.tariff_basic, 3, self.site_north),
                self._line(self.tariff_home, 1, self.site_north),
                self._line(self.option_roaming, 2, self.site_north),
                # no tariff sold for the legal entity itself: the option goes nowhere
                self._line(self.option_data, 1, self.entity_north),
            ],
        )
        order.with_user(self.b2b_manager).action_confirm()
        requests = order.order_line.telecom_activation_request_ids.sorted("id")
        self.assertEqual(len(requests), 4)
        # the first two mobile lines of the North site; not the broadband access
        self.assertEqual(
            [request.option_ids for request in requests],
            [self.option_roaming, self.option_roaming]
            + [self.option_roaming.browse()] * 2,
        )
        self.assertEqual(requests[3].tariff_id, self.tariff_home)
        # confirming again adds nothing
        order._action_cancel()
        order.action_draft()
        order.with_user(self.b2b_manager).action_confirm()
        self.assertEqual(order.order_line.telecom_activation_request_ids, requests)
        self.assertEqual(requests.option_ids, self.option_roaming)

    def test_partner_channel_names_the_partner(self):
        with self.assertRaisesRegex(ValidationError, "which partner brought it"):
            self._opportunity(self.seller_north, telecom_b2b_channel="partner")

    def test_sellers_see_their_own_deals_and_contracts_only(self):
        order = self._quotation(
            self.seller_north,
            [self._line(self.tariff_basic, 1, self.site_north, price_unit=300)],
        )
        order.with_user(self.seller_north).action_confirm()
        contract = order.telecom_b2b_contract_ids
        with self.assertRaises(AccessError):
            order.with_user(self.seller_south).read(["name"])
        with self.assertRaises(AccessError):
            contract.with_user(self.seller_south).read(["name"])
        # volume tiers are read by sellers, written by managers only
        tier = self.env["telecom.b2b.volume.discount"].search([], limit=1)
        tier.with_user(self.seller_north).read(["discount"])
        with self.assertRaises(AccessError):
            tier.with_user(self.seller_north).write({"discount": 50})
        tier.with_user(self.b2b_manager).write({"discount": 30})
