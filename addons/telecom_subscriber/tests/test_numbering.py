from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from ..tools.numbering import (
    luhn_check_digit,
    luhn_is_valid,
    normalize_iccid,
    normalize_imsi,
    normalize_msisdn,
)


@tagged("post_install", "-at_install")
class TestNumbering(TransactionCase):
    def test_msisdn_national_formats_become_e164(self):
        for raw in (
            "8 916 123-45-67",
            "+7 (916) 123 45 67",
            "9161234567",
            "0079161234567",
        ):
            with self.subTest(raw=raw):
                self.assertEqual(normalize_msisdn(self.env, raw), "+79161234567")

    def test_msisdn_foreign_number_kept_international(self):
        self.assertEqual(normalize_msisdn(self.env, "+44 7911 123456"), "+447911123456")

    def test_msisdn_invalid_numbers_raise(self):
        for raw in ("", "12", "+7 000 000", "not a number", "+7916123456789"):
            with self.subTest(raw=raw), self.assertRaises(ValidationError):
                normalize_msisdn(self.env, raw)

    def test_iccid_luhn(self):
        body = "897010123456789012"
        iccid = body + luhn_check_digit(body)
        self.assertTrue(luhn_is_valid(iccid))
        self.assertEqual(normalize_iccid(self.env, iccid[:4] + " " + iccid[4:]), iccid)
        wrong_digit = str((int(iccid[-1]) + 1) % 10)
        with self.assertRaisesRegex(ValidationError, "check digit"):
            normalize_iccid(self.env, iccid[:-1] + wrong_digit)

    def test_iccid_length_and_prefix(self):
        with self.assertRaisesRegex(ValidationError, "19 or 20"):
            normalize_iccid(self.env, "8970")
        body = "123456789012345678"
        with self.assertRaisesRegex(ValidationError, "89"):
            normalize_iccid(self.env, body + luhn_check_digit(body))

    def test_imsi(self):
        self.assertEqual(
            normalize_imsi(self.env, "250 01 1234567890"), "250011234567890"
        )
        with self.assertRaises(ValidationError):
            normalize_imsi(self.env, "25001")
