from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..tools.masking import mask_document_number
from .common import GROUP, TelecomCommon

CARD_VIEW = "telecom_subscriber.res_partner_view_form_telecom_card"
LIST_VIEW = "telecom_subscriber.res_partner_view_list_telecom"


@tagged("post_install", "-at_install")
class TestDocumentMasking(TelecomCommon):
    """Identity document numbers: in clear for the personal data group only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # refused reads are journaled through a cursor of their own: the test one
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)
        cls.partner, cls.account = cls._create_subscriber(
            "Olga Kuznetsova",
            telecom_document_type="passport",
            telecom_document_number="45 09 612345",
        )
        # a front-office agent without Personal Data Access (no longer implied)
        cls.clerk = new_test_user(
            cls.env,
            login="t_front_masked",
            groups=GROUP + "front_office",
            telecom_region_ids=[(6, 0, cls.zone_north.ids)],
        )
        cls.officer = cls.front_office  # front office with Personal Data Access

    def _arch(self, user, view_xmlid, view_type):
        view = self.env.ref(view_xmlid)
        views = (
            self.env["res.partner"].with_user(user).get_views([(view.id, view_type)])
        )
        return views["views"][view_type]["arch"]

    def test_mask_keeps_the_first_two_and_last_three_characters(self):
        self.assertEqual(mask_document_number("45 09 612345"), "45 ** ***345")
        self.assertEqual(mask_document_number("1027700456789"), "10********789")
        self.assertEqual(mask_document_number("N123"), "***3")
        self.assertFalse(mask_document_number(False))

    def test_front_office_sees_the_number_masked(self):
        self.assertFalse(
            self.clerk.has_group(
                "telecom_subscriber.telecom_subscriber_group_personal_data"
            )
        )
        as_clerk = self.partner.with_user(self.clerk)
        self.assertEqual(
            as_clerk.read(["telecom_document_number_masked"])[0][
                "telecom_document_number_masked"
            ],
            "45 ** ***345",
        )
        with self.assertRaises(AccessError):
            as_clerk.read(["telecom_document_number"])
        for view_xmlid, view_type in ((CARD_VIEW, "form"), (LIST_VIEW, "list")):
            arch = self._arch(self.clerk, view_xmlid, view_type)
            self.assertIn('name="telecom_document_number_masked"', arch)
            self.assertNotIn('name="telecom_document_number"', arch)

    def test_personal_data_group_sees_the_number_in_clear(self):
        as_officer = self.partner.with_user(self.officer)
        self.assertEqual(
            as_officer.read(["telecom_document_number"])[0]["telecom_document_number"],
            "45 09 612345",
        )
        arch = self._arch(self.officer, CARD_VIEW, "form")
        self.assertIn('name="telecom_document_number"', arch)
        # the card shows the clear number only: no masked copy beside it
        self.assertNotIn('name="telecom_document_number_masked"', arch)

    def test_supervisors_keep_personal_data_access(self):
        self.assertTrue(
            self.supervisor.has_group(
                "telecom_subscriber.telecom_subscriber_group_personal_data"
            )
        )

    def test_subscriber_api_shows_the_number_masked(self):
        body = self.env["telecom.subscriber.api"]._api_customer_dict(
            self.partner, self.account, "https://crm.example.com"
        )
        self.assertEqual(
            body["individualIdentification"],
            [{"identificationType": "passport", "identificationId": "45 ** ***345"}],
        )
        self.assertNotIn("612345", str(body))
