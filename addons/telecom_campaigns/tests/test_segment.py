import random

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import CampaignsCommon

NUMBER_RANGES = {
    "tenure_days": (0, 1000),
    "live_service_count": (0, 3),
    "contact_count_30d": (0, 6),
    "contact_count_90d": (0, 12),
    "complaint_count_30d": (0, 3),
    "complaint_count_90d": (0, 5),
    "open_request_count": (0, 3),
    "churn_risk": (0, 100),
    "recurring_fee": (0, 2000),
    "arpu_last_month": (0, 1500),
    "arpu_3_months": (0, 1500),
}
BOOLEANS = ("port_out_requested", "termination_requested", "debt_blocked")


@tagged("post_install", "-at_install")
class TestSegment(CampaignsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.rng = random.Random(20261207)
        cls.zones = [cls.zone_north, cls.zone_north_city, cls.zone_south]
        cls.tariffs = [cls.tariff_basic, cls.tariff_unlimited, cls.tariff_home]
        rng = cls.rng
        Region = cls.env["telecom.region"]
        partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Generated {index}",
                    "telecom_is_subscriber": True,
                    "telecom_region_id": (rng.choice(cls.zones + [None]) or Region).id,
                    "telecom_segment": rng.choice(["mass", "vip", "b2b"]),
                }
                for index in range(150)
            ]
        )
        cls.data = {}
        metric_values = []
        for partner in partners:
            metric = None
            if rng.random() < 0.85:  # some subscribers have no metrics row yet
                metric = {
                    field: rng.randint(*bounds) if field != "recurring_fee"
                    else round(rng.uniform(*bounds), 2)
                    for field, bounds in NUMBER_RANGES.items()
                }  # fmt: skip
                for field in ("arpu_last_month", "arpu_3_months"):
                    if rng.random() < 0.5:  # billing did not send it
                        metric[field] = None
                for field in BOOLEANS:
                    metric[field] = rng.random() < 0.3
                tariff = rng.choice(cls.tariffs + [None])
                metric["tariff"] = tariff.id if tariff else None
                metric_values.append(
                    {
                        "partner_id": partner.id,
                        "tariff_id": metric["tariff"],
                        "region_id": partner.telecom_region_id.id,
                        **{
                            field: value if value is not None else False
                            for field, value in metric.items()
                            if field != "tariff"
                        },
                    }
                )
            cls.data[partner.id] = (
                {
                    "region": partner.telecom_region_id or None,
                    "segment": partner.telecom_segment,
                },
                metric,
            )
        cls.env["telecom.subscriber.metric"].create(metric_values)
        cls.env.flush_all()
        # the ORM writes 0.0 for an empty float: unknown billing figures are NULL
        for field in ("arpu_last_month", "arpu_3_months"):
            unknown = [
                partner_id
                for partner_id, (__, metric) in cls.data.items()
                if metric and metric[field] is None
            ]
            cls.env.cr.execute(
                SQL(
                    "UPDATE telecom_subscriber_metric SET %s = NULL"
                    " WHERE partner_id = ANY(%s)",
                    SQL.identifier(field),
                    unknown,
                )
            )
        cls.env["telecom.subscriber.metric"].invalidate_model()

    def test_refresh_keeps_entry_dates_and_removes_leavers(self):
        segment = self.env["telecom.segment"].create(
            {
                "name": "High risk",
                "condition_ids": [
                    (
                        0,
                        0,
                        {
                            "field_name": "churn_risk",
                            "operator": ">=",
                            "value_number": 60,
                        },
                    ),
                ],  # fmt: skip
            }
        )
        segment._refresh_members()
        members = segment.member_ids
        self.assertTrue(members)
        first = members[0]
        entered = first.date_entered
        metric = self.env["telecom.subscriber.metric"].search(
            [("partner_id", "=", first.partner_id.id)]
        )
        leaver = members[1].partner_id
        self.env["telecom.subscriber.metric"].search(
            [("partner_id", "=", leaver.id)]
        ).churn_risk = 10
        segment._refresh_members()
        self.assertEqual(first.date_entered, entered)
        self.assertNotIn(leaver, segment.member_ids.partner_id)
        self.assertEqual(metric.churn_risk, first.churn_risk)

    def test_refresh_writes_only_what_changed(self):
        segment = self.env["telecom.segment"].create(
            {
                "name": "Risky",
                "condition_ids": [
                    Command.create(
                        {
                            "field_name": "churn_risk",
                            "operator": ">=",
                            "value_number": 50,
                        }
                    )
                ],
            }
        )
        segment._refresh_members()
        before = {member.partner_id: member for member in segment.member_ids}
        stayer, leaver = list(before)[:2]
        joiner = next(
            self.env["res.partner"].browse(partner_id)
            for partner_id, (__, metric) in self.data.items()
            if metric and metric["churn_risk"] < 50
        )
        Metric = self.env["telecom.subscriber.metric"]
        Metric.search([("partner_id", "=", stayer.id)]).churn_risk = 99
        Metric.search([("partner_id", "=", leaver.id)]).churn_risk = 0
        Metric.search([("partner_id", "=", joiner.id)]).churn_risk = 70
        segment._refresh_members()
        after = {member.partner_id: member for member in segment.member_ids}
        self.assertEqual(set(after), set(before) - {leaver} | {joiner})
        self.assertEqual(segment.member_count, len(after))
        # the stayers keep their rows; the changed figure is rewritten
        for partner in set(before) - {leaver}:
            self.assertEqual(after[partner], before[partner])
        self.assertEqual(after[stayer].churn_risk, 99)
        self.assertEqual(after[joiner].churn_risk, 70)

    def test_member_rows_go_with_their_subscriber_snapshot_and_segment(self):
        segment = self.env["telecom.segment"].create({"name": "Everybody"})
        snapshot = segment._freeze_snapshot("Launch")
        gone = segment.member_ids[0].partner_id
        gone.unlink()
        self.assertNotIn(gone, segment.member_ids.partner_id)
        self.assertNotIn(gone, snapshot.member_ids.partner_id)

        def rows():
            self.env.cr.execute(
                "SELECT count(*) FROM telecom_segment_member WHERE segment_id = %s",
                [segment.id],
            )
            return self.env.cr.fetchone()[0]

        self.assertEqual(rows(), 2 * (len(self.data) - 1))
        snapshot.unlink()
        self.assertEqual(rows(), len(self.data) - 1)
        segment.unlink()
        self.assertEqual(rows(), 0)

    def test_preview_and_breakdown_and_snapshot(self):
        segment = self.env["telecom.segment"].create(
            {
                "name": "Basic or unlimited",
                "condition_ids": [
                    (
                        0,
                        0,
                        {
                            "field_name": "tariff",
                            "operator": "in",
                            "tariff_ids": [
                                (6, 0, (self.tariff_basic | self.tariff_unlimited).ids)
                            ],
                        },
                    ),
                ],  # fmt: skip
            }
        )
        expected = {
            partner_id
            for partner_id, (__, metric) in self.data.items()
            if metric
            and metric["tariff"] in (self.tariff_basic.id, self.tariff_unlimited.id)
        }
        self.assertEqual(segment.preview_count, len(expected))
        segment._refresh_members()
        breakdown = segment._get_breakdown()
        self.assertEqual(sum(breakdown.values()), len(expected))
        self.assertEqual(
            {tariff for __, tariff in breakdown},
            {self.tariff_basic, self.tariff_unlimited},
        )
        snapshot = segment._freeze_snapshot("Launch")
        self.assertEqual(set(snapshot.member_ids.partner_id.ids), expected)
        # the snapshot stays frozen when the live membership changes
        segment.condition_ids.tariff_ids = self.tariff_basic
        segment._refresh_members()
        self.assertEqual(len(snapshot.member_ids), len(expected))
        self.assertLess(segment.member_count, len(expected))

    def test_no_cycle_and_wrong_operator(self):
        first = self.env["telecom.segment"].create({"name": "First"})
        second = self.env["telecom.segment"].create(
            {"name": "Second", "exclude_segment_ids": [(6, 0, first.ids)]}
        )
        with self.assertRaises(ValidationError):
            first.exclude_segment_ids = second
        with self.assertRaises(ValidationError):
            self.env["telecom.segment.condition"].create(
                {"segment_id": first.id, "field_name": "region", "operator": ">"}
            )

    def test_values_are_parameters_not_sql(self):
        segment = self.env["telecom.segment"].create(
            {
                "name": "Injection",
                "condition_ids": [
                    (
                        0,
                        0,
                        {
                            "field_name": "customer_segment",
                            "operator": "=",
                            "value_segment": "vip",
                        },
                    ),
                ],  # fmt: skip
            }
        )
        sql = segment._get_predicate()
        self.assertNotIn("vip", sql.code)
        self.assertIn("vip", sql.params)

    def test_form_previews_the_size_of_the_user_zones_while_editing(self):
        north = {self.zone_north, self.zone_north_city}
        expected = {
            partner_id
            for partner_id, (partner, metric) in self.data.items()
            if (partner["region"] is None or partner["region"] in north)
            and metric
            and metric["churn_risk"] >= 60
        }
        segment = self.env["telecom.segment"].with_user(self.marketing_manager)
        with Form(segment) as form:
            form.name = "High risk, my zones"
            everybody = form.preview_count
            with form.leaf_condition_ids.new() as line:
                line.field_name = "churn_risk"
                line.operator = ">="
                line.value_number = 60
            # not saved yet: the count follows the conditions being edited
            self.assertEqual(form.preview_count, len(expected))
            # a group of its own: (port-out requested or 2+ complaints in 30 days)
            with form.group_ids.new() as group:
                group.match = "any"
                with group.child_ids.new() as line:
                    line.field_name = "port_out_requested"
                    line.operator = "set"
                with group.child_ids.new() as line:
                    line.field_name = "complaint_count_30d"
                    line.operator = ">="
                    line.value_number = 2
            grouped = {
                partner_id
                for partner_id in expected
                if self.data[partner_id][1]["port_out_requested"]
                or self.data[partner_id][1]["complaint_count_30d"] >= 2
            }
            self.assertLess(len(grouped), len(expected))
            self.assertEqual(form.preview_count, len(grouped))
            # and the top level switched to "any"
            form.match = "any"
            self.assertGreater(form.preview_count, len(grouped))
        saved = form.save()
        self.assertEqual(len(saved.condition_ids), 2)
        self.assertEqual(len(saved.group_ids.child_ids), 2)
        self.assertEqual(saved.group_ids.summary.count(" or "), 1)
        self.assertEqual(
            everybody,
            len(
                [
                    partner
                    for partner, __ in self.data.values()
                    if partner["region"] is None or partner["region"] in north
                ]
            ),
        )
