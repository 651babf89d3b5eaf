from odoo.tests import tagged

from .common import TelecomCommon, make_iccid, make_msisdn

SERVICE_LIST = {
    "name": {},
    "service_type": {},
    "tariff_id": {"fields": {"display_name": {}}},
    "account_id": {"fields": {"display_name": {}}},
    "region_id": {"fields": {"display_name": {}}},
    "state": {},
    "block_reason": {},
}
CARD_SPEC = {
    "display_name": {},
    "name": {},
    "is_company": {},
    "company_type": {},
    "ref": {},
    "mobile": {},
    "phone": {},
    "email": {},
    "telecom_segment": {},
    "telecom_region_id": {"fields": {"display_name": {}}},
    "telecom_customer_since": {},
    "telecom_active_service_count": {},
    "telecom_open_request_count": {},
    "telecom_document_number": {},
    "telecom_birthdate": {},
    "telecom_card_service_ids": {"fields": SERVICE_LIST, "limit": 20},
    "telecom_account_ids": {
        "fields": {
            "name": {},
            "payer_id": {"fields": {"display_name": {}}},
            "state": {},
        },
        "limit": 20,
    },
    "telecom_open_request_ids": {
        "fields": {"name": {}, "request_type": {}, "state": {}, "effective_date": {}},
        "limit": 20,
    },
    "telecom_timeline_ids": {
        "fields": {
            "date": {},
            "channel": {},
            "direction": {},
            "summary": {},
            "outcome": {},
            "service_label": {},
            "agent_id": {"fields": {"display_name": {}}},
        },
        "limit": 40,
    },
}


@tagged("post_install", "-at_install")
class TestSubscriberCard(TelecomCommon):
    """The 360° card costs the same number of queries whatever the history size."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.small = cls._subscriber_with_history("Small History", 10)
        cls.large = cls._subscriber_with_history("Large History", 10_000)

    @classmethod
    def _subscriber_with_history(cls, name, size):
        partner, account = cls._create_subscriber(name)
        # a block of 100,000 numbers of its own, whatever the tests that ran
        # before in the same Odoo run (make_msisdn takes 7 digits)
        first = (1 + cls._next_serial() % 89) * 100_000
        services = cls.env["telecom.service"].create(
            [
                {
                    "account_id": account.id,
                    "tariff_id": cls.tariff_basic.id,
                    "msisdn": make_msisdn(first + index),
                    "iccid": make_iccid(first + index),
                }
                for index in range(size)
            ]
        )
        cls.env["telecom.interaction"].create(
            [
                {
                    "partner_id": partner.id,
                    "service_id": services[index].id,
                    "channel": "call",
                    "summary": f"Call {index}",
                }
                for index in range(size)
            ]
        )
        return partner

    def _open_card(self, partner):
        return partner.with_user(self.front_office).web_read(CARD_SPEC)

    def _count_queries(self, partner):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        self._open_card(partner)
        return self.cr.sql_log_count - before

    def test_card_shows_history_pages(self):
        card = self._open_card(self.large)[0]
        timeline = card["telecom_timeline_ids"]
        self.assertEqual(len(timeline), 80, "the card holds the newest 80 contacts")
        self.assertEqual(len([row for row in timeline if "summary" in row]), 40)
        self.assertEqual(timeline[0]["summary"], "Call 9999", "newest first")
        services = card["telecom_card_service_ids"]
        self.assertEqual(len(services), 50)
        self.assertEqual(len([row for row in services if "tariff_id" in row]), 20)
        self.assertEqual(card["telecom_active_service_count"], 0)
        self.assertEqual(
            self.large.action_telecom_view_timeline()["domain"],
            [("partner_id", "=", self.large.id)],
        )

    def test_card_query_count_is_constant(self):
        for partner in (self.small, self.large):
            self._count_queries(partner)  # warm the caches shared by every card
        small = self._count_queries(self.small)
        large = self._count_queries(self.large)
        self.assertEqual(small, large)
        self.assertLessEqual(small, 30, "the card must stay a handful of queries")
        with self.assertQueryCount(small):
            self.env.invalidate_all()
            self._open_card(self.large)
