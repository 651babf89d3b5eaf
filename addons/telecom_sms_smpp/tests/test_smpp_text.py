from odoo.tests.common import BaseCase, tagged

from ..smpp import pdu
from ..smpp.text import DATA_CODING_GSM7, DATA_CODING_UCS2, encode_parts


@tagged("post_install", "-at_install")
class TestSmppText(BaseCase):
    """Encoding and splitting of SMS bodies; receipt parsing (no SMSC needed)."""

    def _udh(self, part):
        return part[1][:6]

    def test_gsm7_single_and_long(self):
        data_coding, parts = encode_parts("a" * 160, 1)
        self.assertEqual((data_coding, len(parts)), (DATA_CODING_GSM7, 1))
        self.assertEqual(parts[0], (0, b"a" * 160))
        data_coding, parts = encode_parts("a" * 161, 9)
        self.assertEqual(len(parts), 2)
        self.assertEqual(parts[0][0], 0x40)
        self.assertEqual(self._udh(parts[0]), bytes([5, 0, 3, 9, 2, 1]))
        self.assertEqual(len(parts[0][1]), 6 + 153)
        self.assertEqual(self._udh(parts[1]), bytes([5, 0, 3, 9, 2, 2]))

    def test_gsm7_extension_takes_two_septets_and_is_never_cut(self):
        data_coding, parts = encode_parts("€" * 80, 1)
        self.assertEqual((data_coding, len(parts)), (DATA_CODING_GSM7, 1))
        self.assertEqual(parts[0][1][:2], b"\x1b\x65")
        _data_coding, parts = encode_parts("a" + "€" * 80, 1)
        self.assertEqual(len(parts), 2)
        # 153 septets: "a" + 76 euros; the 77th would be cut in two
        self.assertEqual(len(parts[0][1]) - 6, 153)
        self.assertEqual(pdu.decode_text(0, parts[1][1][6:]), "€" * 4)

    def test_cyrillic_is_ucs2(self):
        data_coding, parts = encode_parts("Ж" * 70, 1)
        self.assertEqual((data_coding, len(parts)), (DATA_CODING_UCS2, 1))
        self.assertEqual(parts[0][1], "Ж".encode("utf-16-be") * 70)
        text = "Плановые работы на сети: " * 6
        data_coding, parts = encode_parts(text, 3)
        self.assertEqual(data_coding, DATA_CODING_UCS2)
        self.assertEqual(len(parts), 3)
        self.assertTrue(all(len(payload) <= 140 for _esm, payload in parts))
        joined = "".join(pdu.decode_text(8, payload[6:]) for _esm, payload in parts)
        self.assertEqual(joined, text)

    def test_surrogate_pair_is_never_cut(self):
        text = "Я" * 66 + "😀" + "Я" * 10
        _data_coding, parts = encode_parts(text, 1)
        self.assertEqual(len(parts), 2)
        self.assertEqual(pdu.decode_text(8, parts[0][1][6:]), "Я" * 66)

    def test_receipt_parsing(self):
        body = pdu.encode_sm(
            {
                "esm_class": pdu.ESM_CLASS_RECEIPT,
                "short_message": b"id:abc123 sub:001 dlvrd:000 submit date:2512011200 "
                b"done date:2512011201 stat:UNDELIV err:001 text:stat:DELIVRD",
            }
        )
        receipt = pdu.parse_receipt(pdu.decode_sm(body))
        self.assertEqual(
            receipt, {"message_id": "abc123", "stat": "UNDELIV", "err": "001"}
        )
        # the TLV names the message when present
        body = pdu.encode_sm(
            {
                "esm_class": pdu.ESM_CLASS_RECEIPT,
                "short_message": b"id:short stat:DELIVRD err:000",
                "tlvs": {pdu.TLV_RECEIPTED_MESSAGE_ID: b"long-id\x00"},
            }
        )
        self.assertEqual(
            pdu.parse_receipt(pdu.decode_sm(body))["message_id"], "long-id"
        )
        # a mobile-originated message is no receipt
        self.assertIsNone(pdu.parse_receipt(pdu.decode_sm(pdu.encode_sm({}))))
