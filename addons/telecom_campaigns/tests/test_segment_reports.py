import io

import openpyxl

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..tools.segment_xlsx import write_members_xlsx
from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestSegmentReports(CampaignsCommon):
    """Churn-risk distribution, segment composition and the XLSX export, as
    zone-limited marketers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.partners = cls.env["res.partner"]
        risks = {}
        for name, zone, risk in (
            ("North low", cls.zone_north_city, 5),
            ("North high", cls.zone_north_city, 95),
            ("North 100", cls.zone_north, 100),
            ("South medium", cls.zone_south, 45),
        ):
            partner, account = cls._create_subscriber(name, zone=zone)
            cls._activate_line(account)
            cls.partners |= partner
            risks[partner] = risk
        Metric = cls.env["telecom.subscriber.metric"]
        Metric._refresh(cls.partners.ids)
        Metric.flush_model()
        # known scores, whatever the weights say
        for partner in cls.partners:
            cls.env.cr.execute(
                SQL(
                    """UPDATE telecom_subscriber_metric
                          SET churn_risk = %s,
                              churn_risk_level = CASE WHEN %s >= 60 THEN 'high'
                                                      WHEN %s >= 30 THEN 'medium'
                                                      ELSE 'low' END
                        WHERE partner_id = %s""",
                    risks[partner],
                    risks[partner],
                    risks[partner],
                    partner.id,
                )
            )
        Metric.invalidate_model()
        cls.segment = cls.env["telecom.segment"].create(
            {
                "name": "Risky",
                "condition_ids": [
                    Command.create(
                        {
                            "field_name": "churn_risk",
                            "operator": ">=",
                            "value_number": 40,
                        }
                    )
                ],
            }
        )
        cls.segment._refresh_members()

    def test_churn_distribution_by_bucket_for_the_user_zones(self):
        report = self.env["telecom.churn.risk.report"].with_user(self.marketer_north)
        groups = dict(
            report._read_group(
                [("partner_id", "in", self.partners.ids)], ["risk_bucket"], ["__count"]
            )
        )
        # 100 falls in the last bucket; the south subscriber is not shown
        self.assertEqual(groups, {"00": 1, "90": 2})
        south = self.env["telecom.churn.risk.report"].with_user(self.marketer_south)
        self.assertEqual(
            south.search([("partner_id", "in", self.partners.ids)]).churn_risk_level,
            "medium",
        )
        # narrowed to a segment's members
        in_segment = report.search([("segment_id", "=", self.segment.id)])
        self.assertEqual(
            set(in_segment.partner_id.mapped("name")), {"North high", "North 100"}
        )
        self.assertEqual(
            report.search_count([("segment_id", "ilike", "Risk")]), len(in_segment)
        )
        action = self.segment.with_user(self.marketer_north)
        action = action.action_view_churn_distribution()
        self.assertEqual(
            action["context"]["search_default_segment_id"], self.segment.id
        )

    def test_segment_composition_zone_by_tariff(self):
        members = self.env["telecom.segment.member"].with_user(self.marketer_south)
        groups = members._read_group(
            [("segment_id", "=", self.segment.id), ("snapshot_id", "=", False)],
            ["region_id", "tariff_id"],
            ["__count"],
        )
        self.assertEqual(groups, [(self.zone_south, self.tariff_basic, 1)])

    def test_xlsx_export_streams_the_user_members(self):
        segment = self.segment.with_user(self.marketer_north)
        self.assertEqual(
            segment.action_export_members_xlsx()["url"],
            f"/telecom_campaigns/segment/{segment.id}/members.xlsx",
        )
        stream = io.BytesIO()
        # batches of 1: the keyset paging is what large segments go through
        self.assertEqual(write_members_xlsx(segment, stream, batch_size=1), 2)
        sheet = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0][1], "Subscriber")
        self.assertEqual(
            sorted((row[1], row[3], row[4], row[5]) for row in rows[1:]),
            [
                (
                    "North 100",
                    self.zone_north.display_name,
                    self.tariff_basic.display_name,
                    100,
                ),
                (
                    "North high",
                    self.zone_north_city.display_name,
                    self.tariff_basic.display_name,
                    95,
                ),
            ],
        )
