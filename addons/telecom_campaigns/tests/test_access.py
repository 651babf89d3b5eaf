from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestCampaignsAccess(CampaignsCommon):
    """A marketer sees the members and metrics of their zones only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.north, account_north = cls._create_subscriber("North Subscriber")
        cls.south, account_south = cls._create_subscriber(
            "South Subscriber", zone=cls.zone_south
        )
        cls._activate_line(account_north)
        cls._activate_line(account_south)
        cls.env["telecom.subscriber.metric"]._refresh([cls.north.id, cls.south.id])

    def test_marketer_sees_own_zone_only(self):
        segment = (
            self.env["telecom.segment"]
            .with_user(self.marketer_north)
            .create({"name": "Everybody"})
        )
        # the preview counts what the marketer may see
        self.assertEqual(segment.preview_count, 1)
        self.assertEqual(segment.with_user(self.marketer_south).preview_count, 1)
        # the refresh by a zone-limited marketer builds the whole membership...
        segment.action_refresh_members()
        self.assertEqual(segment.member_count, 2)
        # ...and each marketer sees the members of their zones
        Member = self.env["telecom.segment.member"]
        domain = [("segment_id", "=", segment.id)]
        self.assertEqual(
            Member.with_user(self.marketer_north).search(domain).partner_id,
            self.north,
        )
        self.assertEqual(
            Member.with_user(self.marketer_south).search(domain).partner_id,
            self.south,
        )
        south_view = segment.with_user(self.marketer_south)
        self.assertEqual(
            set(south_view._get_breakdown()), {(self.zone_south, self.tariff_basic)}
        )
        Metric = self.env["telecom.subscriber.metric"]
        self.assertEqual(
            Metric.with_user(self.marketer_north).search([]).partner_id, self.north
        )
        # (the demo data has metrics of its own, in other zones)
        self.assertEqual(
            Metric.with_user(self.head_office)
            .search([("partner_id", "in", (self.north | self.south).ids)])
            .partner_id,
            self.north | self.south,
        )
        with self.assertRaises(AccessError):
            Metric.with_user(self.marketer_north).browse(
                Metric.search([("partner_id", "=", self.south.id)]).id
            ).read(["churn_risk"])

    def test_rights_of_the_roles(self):
        segment = (
            self.env["telecom.segment"]
            .with_user(self.marketer_north)
            .create({"name": "To delete"})
        )
        with self.assertRaises(AccessError):
            segment.unlink()
        with self.assertRaises(AccessError):
            self.env["telecom.segment"].with_user(self.front_office).create(
                {"name": "Not a marketer"}
            )
        with self.assertRaises(AccessError):
            segment.with_user(self.front_office).action_refresh_members()
        # agents read the churn risk of their subscribers on the card
        self.assertTrue(
            self.north.with_user(self.front_office).telecom_churn_risk_level
        )
        segment.with_user(self.marketing_manager).unlink()
