from odoo.tests import tagged

from ..tools.card_spec import card_spec
from .common import TelecomCommon, make_iccid, make_msisdn

# the goal: the card, with every installed addon, in at most 20 queries
CARD_QUERY_GOAL = 20

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
    "telecom_card_request_ids": {
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
        cls.small = cls._subscriber_with_history("Small History", 10, 2)
        cls.large = cls._subscriber_with_history("Large History", 10_000, 30)

    @classmethod
    def _subscriber_with_history(cls, name, size, requests):
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
        cls.env["telecom.request"].create(
            [
                {
                    "request_type": "claim",
                    "partner_id": partner.id,
                    "service_id": services[index].id,
                    "claim_category": "billing",
                    "reason": f"Claim {index}",
                }
                for index in range(requests)
            ]
        )
        return partner

    def _open_card(self, partner, spec=None):
        return partner.with_user(self.front_office).web_read(spec or CARD_SPEC)

    def _count_queries(self, partner, spec):
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        self._open_card(partner, spec)
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
        # the card as the web client reads it, with every installed addon
        spec = card_spec(self.env(user=self.front_office))
        for partner in (self.small, self.large):
            self._count_queries(partner, spec)  # warm the caches shared by every card
        small = self._count_queries(self.small, spec)
        large = self._count_queries(self.large, spec)
        self.assertEqual(small, large, "the history size must not cost queries")
        self.assertLessEqual(small, CARD_QUERY_GOAL)
        with self.assertQueryCount(small):
            self.env.invalidate_all()
            self._open_card(self.large, spec)

    def test_card_lists_follow_the_record_rules(self):
        """The lists hold the newest rows the agent may read, not fewer."""
        newest = self.large.telecom_timeline_ids[:3]
        newest.write({"region_id": self.zone_south.id})  # another agent's zone
        self.env.invalidate_all()
        timeline = self.large.with_user(self.front_office).telecom_timeline_ids
        self.assertEqual(len(timeline), 80)
        self.assertFalse(timeline & newest)
        self.assertEqual(
            self.large.with_user(self.front_office).telecom_open_request_count, 30
        )
