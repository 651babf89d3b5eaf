from odoo.tests import tagged

from .common import B2bCommon

FIGURES = [
    "telecom_b2b_site_count",
    "telecom_b2b_account_count",
    "telecom_b2b_service_count",
    "telecom_b2b_active_service_count",
    "telecom_b2b_contract_count",
]


@tagged("post_install", "-at_install")
class TestHierarchy(B2bCommon):
    """The customer's services across all its sites, on one screen."""

    def _services_on_screen(self, partner, user):
        action = partner.with_user(user).action_telecom_b2b_view_services()
        return self.env["telecom.service"].with_user(user).search(action["domain"])

    def test_holding_sees_the_services_of_every_site(self):
        self.assertEqual(self.holding.telecom_b2b_site_count, 4)
        self.assertEqual(self.holding.telecom_b2b_service_count, 2)
        self.assertEqual(self.holding.telecom_b2b_account_count, 2)
        services = self._services_on_screen(self.holding, self.head_office)
        self.assertEqual(services, self.line_north | self.line_south)

    def test_a_legal_entity_sees_its_sites_not_its_siblings(self):
        self.assertEqual(self.entity_north.telecom_b2b_site_count, 1)
        self.assertEqual(self.entity_north.telecom_b2b_service_count, 1)
        services = self._services_on_screen(self.entity_north, self.head_office)
        self.assertEqual(services, self.line_north)
        self.assertEqual(self.site_south.telecom_b2b_service_count, 1)
        self.assertEqual(self.site_south.telecom_b2b_site_count, 0)

    def test_a_seller_counts_only_the_services_of_their_zones(self):
        holding = self.holding.with_user(self.seller_north)
        self.assertEqual(holding.telecom_b2b_service_count, 1)
        self.assertEqual(holding.telecom_b2b_site_count, 2)
        self.assertEqual(
            self._services_on_screen(self.holding, self.seller_north),
            self.line_north,
        )

    def test_a_new_key_account_manager_takes_the_companies_below(self):
        self.entity_south.telecom_key_account_manager_id = self.seller_south
        self.holding.telecom_key_account_manager_id = self.b2b_manager
        for partner in (self.entity_north, self.site_north):
            self.assertEqual(partner.telecom_key_account_manager_id, self.b2b_manager)
        # a company with a manager of its own keeps it, and so do its sites
        for partner in (self.entity_south, self.site_south):
            self.assertEqual(partner.telecom_key_account_manager_id, self.seller_south)

    def _queries_to_read_figures(self, partners):
        self.env.flush_all()
        self.env.invalidate_all()
        partners = partners.with_user(self.seller_north)
        before = self.cr.sql_log_count
        partners.read(FIGURES)
        return self.cr.sql_log_count - before

    def test_figures_cost_the_same_queries_whatever_the_size(self):
        self.env.registry.clear_cache()  # rules of the seller cached once below
        self._queries_to_read_figures(self.holding)
        small = self._queries_to_read_figures(self.holding)
        for index in range(6):
            site = self._create_company(
                f"T Extra Site {index}",
                "branch",
                self.zone_north_city,
                parent=self.entity_north,
                kpp=f"77031{index}001",
            )
            self._activate_line(self._create_account(site))
        self.holding.invalidate_recordset()
        self.assertEqual(self.holding.telecom_b2b_service_count, 8)
        large = self._queries_to_read_figures(self.holding)
        self.assertEqual(small, large)
        # and for several customers at once
        many = self._queries_to_read_figures(
            self.holding | self.entity_north | self.entity_north.telecom_b2b_company_ids
        )
        self.assertEqual(many, large)
