import io

import openpyxl

from odoo.tests import HttpCase, new_test_user, tagged

from .common import CAMPAIGNS_GROUP


@tagged("post_install", "-at_install")
class TestSegmentTour(HttpCase):
    """Headless Chromium: a zone-limited marketer builds a segment, sees its
    size while editing and starts an A/B test on it; the XLSX export over HTTP."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Region = cls.env["telecom.region"]
        cls.north = Region.create({"name": "Tour North", "code": "TOUR-N"})
        cls.south = Region.create({"name": "Tour South", "code": "TOUR-S"})
        cls.marketer = new_test_user(
            cls.env,
            login="tour_marketer",
            groups=CAMPAIGNS_GROUP + "user",
            telecom_region_ids=[(6, 0, cls.north.ids)],
        )
        cls.env.flush_all()
        # only the subscribers of this test count
        cls.env.cr.execute(
            "UPDATE res_partner SET telecom_is_subscriber = FALSE"
            " WHERE telecom_is_subscriber"
        )
        cls.env["res.partner"].invalidate_model(["telecom_is_subscriber"])
        rows = [
            ("Tour Calm", cls.north, 10, False),
            ("Tour Unhappy", cls.north, 70, False),
            ("Tour Leaving", cls.north, 80, True),
            ("Tour South Leaving", cls.south, 90, True),
        ]
        partners = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "telecom_is_subscriber": True,
                    "telecom_region_id": zone.id,
                }
                for name, zone, __, __ in rows
            ]
        )
        cls.env["telecom.subscriber.metric"].create(
            [
                {
                    "partner_id": partner.id,
                    "region_id": zone.id,
                    "churn_risk": risk,
                    "port_out_requested": port_out,
                }
                for partner, (__, zone, risk, port_out) in zip(
                    partners, rows, strict=True
                )
            ]
        )
        cls.leaving = partners[2]

    def test_marketer_builds_a_segment_and_starts_an_ab_test(self):
        self.start_tour(
            "/odoo/action-telecom_campaigns.telecom_segment_action",
            "telecom_campaigns_segment_ab_test",
            login="tour_marketer",
        )
        segment = self.env["telecom.segment"].search([("name", "=", "Tour High Risk")])
        self.assertEqual(segment.create_uid, self.marketer)
        self.assertEqual(
            [
                (c.field_name, c.operator, c.value_number)
                for c in segment.leaf_condition_ids
            ],
            [("churn_risk", ">=", 60.0)],
        )
        self.assertEqual(segment.group_ids.match, "any")
        self.assertEqual(segment.group_ids.child_ids.field_name, "port_out_requested")
        # everywhere, the south subscriber matches too; the marketer saw 1
        self.assertEqual(segment.preview_count, 2)
        self.assertEqual(segment.with_user(self.marketer).preview_count, 1)
        test = self.env["telecom.ab.test"].search([("segment_id", "=", segment.id)])
        self.assertEqual(test.name, "Tour Offer Test")
        self.assertEqual(test.create_uid, self.marketer)
        self.assertEqual(test.variant_ids.mapped("name"), ["Discount", "Free Roaming"])

    def test_xlsx_export_over_http(self):
        segment = self.env["telecom.segment"].create(
            {
                "name": "Port-outs",
                "condition_ids": [
                    (0, 0, {"field_name": "port_out_requested", "operator": "set"})
                ],
            }
        )
        segment._refresh_members()
        self.authenticate("tour_marketer", "tour_marketer")
        response = self.url_open(
            f"/telecom_campaigns/segment/{segment.id}/members.xlsx"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response.headers["Content-Disposition"])
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        # the south member is not the marketer's
        self.assertEqual(
            [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)],
            [self.leaving.name],
        )
        response = self.url_open("/telecom_campaigns/segment/999999999/members.xlsx")
        self.assertEqual(response.status_code, 404)
