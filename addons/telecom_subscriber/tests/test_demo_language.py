from odoo.tests import HttpCase, tagged

DEMO_USERS = (
    "base.user_admin",
    "telecom_subscriber.res_users_front_msk",
    "telecom_subscriber.res_users_front_nsk",
    "telecom_subscriber.res_users_contact_center",
    "telecom_subscriber.res_users_retention",
    "telecom_subscriber.res_users_b2b_sales",
    "telecom_subscriber.res_users_tech_support",
    "telecom_subscriber.res_users_supervisor_msk",
    "telecom_subscriber.res_users_head_office",
    "telecom_subscriber.res_users_portal_ivanov",
    "telecom_subscriber.res_users_portal_ivanova",
    "telecom_subscriber.res_users_portal_stroyinvest",
)


@tagged("post_install", "-at_install")
class TestDemoLanguage(HttpCase):
    """The demo operator is Russian: its users work in Russian, English stays."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.front_msk = cls.env.ref(
            "telecom_subscriber.res_users_front_msk", raise_if_not_found=False
        )

    def setUp(self):
        super().setUp()
        if not self.front_msk:
            self.skipTest("the database has no demo data")

    def test_demo_users_company_and_formats_are_russian(self):
        for xml_id in DEMO_USERS:
            with self.subTest(user=xml_id):
                user = self.env.ref(xml_id)
                self.assertEqual(user.lang, "ru_RU")
                self.assertTrue(user.tz)
        company = self.env.ref("base.main_company")
        self.assertEqual(company.country_id.code, "RU")
        # also when accounting (sales of telecom_b2b_partner) loaded Odoo's
        # generic chart of accounts: telecom_b2b_partner keeps the roubles
        self.assertEqual(company.currency_id.name, "RUB")
        self.assertEqual(company.partner_id.lang, "ru_RU")
        self.assertEqual(self.env.ref("base.user_admin").tz, "Europe/Moscow")
        installed = dict(self.env["res.lang"].get_installed())
        self.assertIn("en_US", installed, "English stays selectable")
        russian = self.env["res.lang"]._lang_get("ru_RU")
        self.assertEqual(russian.date_format, "%d.%m.%Y")
        self.assertEqual(russian.decimal_point, ",")
        self.assertEqual(
            russian.format("%.2f", 1234.5, grouping=True),
            f"1{russian.thousands_sep}234,50",
        )

    def test_demo_user_web_client_loads_in_russian(self):
        self.authenticate("front.msk", "front.msk")
        page = self.url_open("/odoo")
        self.assertEqual(page.status_code, 200)
        self.assertIn('"lang": "ru_RU"', page.text)
        menus = self.url_open("/web/webclient/load_menus/1").json()
        root = self.env.ref("telecom_subscriber.telecom_subscriber_menu_root")
        self.assertEqual(menus[str(root.id)]["name"], "Телеком")

    def test_english_user_web_client_loads_in_english(self):
        """Switching a user to English (My Preferences > Language) is all it takes."""
        self.front_msk.lang = "en_US"
        self.authenticate("front.msk", "front.msk")
        menus = self.url_open("/web/webclient/load_menus/1").json()
        root = self.env.ref("telecom_subscriber.telecom_subscriber_menu_root")
        self.assertEqual(menus[str(root.id)]["name"], "Telecom")
