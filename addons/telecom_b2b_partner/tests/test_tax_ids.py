from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools.tax_ids import inn_problem, is_valid_kpp
from .common import INN_NORTH, B2bCommon


@tagged("post_install", "-at_install")
class TestTaxIds(B2bCommon):
    """INN check digits and KPP format, with the errors a seller reads."""

    def test_inn_checksums_of_real_taxpayers(self):
        # 10 digits: Sberbank, Yandex, Gazprom; 12 digits: individual entrepreneurs
        for inn in ("7707083893", "7736207543", "7736050003", "500100732259"):
            self.assertIsNone(inn_problem(inn), inn)
        # one digit changed: the check digits no longer match
        for inn in ("7707083894", "7736207542", "500100732258", "500100732269"):
            self.assertEqual(inn_problem(inn), "checksum", inn)
        for inn in ("770708389", "77070838931", "77O7083893", "", None):
            self.assertEqual(inn_problem(inn), "format", inn)

    def test_kpp_format(self):
        self.assertTrue(is_valid_kpp("773601001"))
        # since 2019 the reason part may hold capital Latin letters
        self.assertTrue(is_valid_kpp("7736AB001"))
        for kpp in ("77360100", "7736010011", "773601ab1", "77360100Z"):
            self.assertFalse(is_valid_kpp(kpp), kpp)

    def _assert_refused(self, partner, vals, message):
        with self.assertRaisesRegex(ValidationError, message), self.cr.savepoint():
            partner.write(vals)
        partner.invalidate_recordset()

    def test_seller_gets_clear_errors(self):
        partner = self.entity_north.with_user(self.seller_north)
        self._assert_refused(
            partner, {"telecom_inn": "5406987652"}, "check digits do not match"
        )
        self._assert_refused(
            partner, {"telecom_inn": "54069876"}, "10 digits .* or 12 digits"
        )
        self._assert_refused(
            partner, {"telecom_kpp": "77030100"}, "KPP 77030100 .* 9 characters"
        )
        self._assert_refused(
            partner, {"telecom_inn": "500100732259"}, "12-digit INN .* no KPP"
        )
        self.assertEqual(partner.telecom_inn, INN_NORTH)

    def test_spaces_are_dropped_and_letters_upper_cased(self):
        partner = self.entity_north.with_user(self.seller_north)
        partner.write({"telecom_inn": " 5406 987 651 ", "telecom_kpp": "7703ab001"})
        self.assertEqual(partner.telecom_inn, "5406987651")
        self.assertEqual(partner.telecom_kpp, "7703AB001")

    def test_branch_has_the_inn_of_its_legal_entity_and_its_own_kpp(self):
        self.assertEqual(self.site_north.telecom_inn, INN_NORTH)
        with self.assertRaisesRegex(ValidationError, "same INN 5406987651 and KPP"):
            self._create_company(
                "T Site Copy",
                "branch",
                self.zone_north_city,
                parent=self.entity_north,
                kpp="770345001",
            )

    def test_branch_needs_its_legal_entity(self):
        with self.assertRaisesRegex(ValidationError, "needs the legal entity"):
            self._create_company("T Lonely Site", "branch", self.zone_north)
