import random

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from ..models.telecom_segment_condition import OPERATORS_BY_KIND, SEGMENT_FIELDS
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


def python_condition(condition, partner, metric):
    """Independent evaluation of one condition on one subscriber."""
    kind = SEGMENT_FIELDS[condition["field"]][1]
    operator = condition["operator"]
    if kind == "region":
        zone = partner["region"]
        inside = zone is not None and any(
            zone.parent_path.startswith(chosen.parent_path)
            for chosen in condition["regions"]
        )
        return inside if operator == "in" else not inside
    if kind == "selection":
        same = partner["segment"] == condition["choice"]
        return same if operator == "=" else not same
    value = metric.get(condition["field"]) if metric else None
    if kind == "tariff":
        inside = value is not None and value in condition["tariffs"]
        return inside if operator == "in" else not inside
    if kind == "boolean":
        return bool(value) if operator == "set" else not value
    if value is None:
        return False
    low, high = sorted((condition["value"], condition["value_to"]))
    return {
        "=": value == condition["value"],
        "!=": value != condition["value"],
        ">": value > condition["value"],
        ">=": value >= condition["value"],
        "<": value < condition["value"],
        "<=": value <= condition["value"],
        "between": low <= value <= high,
    }[operator]


def python_segment(spec, partner, metric):
    results = [python_condition(c, partner, metric) for c in spec["conditions"]]
    if not results:
        matched = True
    else:
        matched = all(results) if spec["match"] == "all" else any(results)
    return matched and not any(
        python_segment(excluded, partner, metric) for excluded in spec["exclude"]
    )


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

    def _random_condition(self):
        rng = self.rng
        field = rng.choice(list(SEGMENT_FIELDS))
        kind = SEGMENT_FIELDS[field][1]
        operator = rng.choice(OPERATORS_BY_KIND[kind])
        spec = {"field": field, "operator": operator, "value": 0.0, "value_to": 0.0}
        values = {"field_name": field, "operator": operator}
        if kind == "number":
            low, high = NUMBER_RANGES[field]
            # thresholds often equal to a value of the data, to test the bounds
            spec["value"] = float(rng.randint(low, high))
            spec["value_to"] = float(rng.randint(low, high))
            values.update(value_number=spec["value"], value_number_to=spec["value_to"])
        elif kind == "region":
            spec["regions"] = rng.sample(self.zones, rng.randint(1, 2))
            values["region_ids"] = [(6, 0, [zone.id for zone in spec["regions"]])]
        elif kind == "tariff":
            chosen = rng.sample(self.tariffs, rng.randint(1, 2))
            spec["tariffs"] = {tariff.id for tariff in chosen}
            values["tariff_ids"] = [(6, 0, list(spec["tariffs"]))]
        elif kind == "selection":
            spec["choice"] = rng.choice(["mass", "vip", "b2b"])
            values["value_segment"] = spec["choice"]
        return spec, values

    def _random_segment(self, name, excluded=None, excluded_spec=None):
        specs, lines = [], []
        for __ in range(self.rng.randint(0, 4)):
            spec, values = self._random_condition()
            specs.append(spec)
            lines.append((0, 0, values))
        match = self.rng.choice(["all", "any"])
        segment = (
            self.env["telecom.segment"]
            .with_user(self.marketing_manager)
            .create(
                {
                    "name": name,
                    "match": match,
                    "condition_ids": lines,
                    "exclude_segment_ids": [(6, 0, excluded.ids if excluded else [])],
                }
            )
        )
        spec = {
            "conditions": specs,
            "match": match,
            "exclude": [excluded_spec] if excluded else [],
        }
        return segment, spec

    def _expected(self, spec):
        return {
            partner_id
            for partner_id, (partner, metric) in self.data.items()
            if python_segment(spec, partner, metric)
        }

    def test_membership_equals_the_conditions(self):
        previous, previous_spec = None, None
        for index in range(30):
            excluded = previous if previous and self.rng.random() < 0.4 else None
            segment, spec = self._random_segment(
                f"Random {index}", excluded, previous_spec
            )
            segment._refresh_members()
            # read as the suite administrator: all zones
            members = set(
                segment.sudo(False).with_env(self.env).member_ids.partner_id.ids
            )
            expected = self._expected(spec)
            self.assertEqual(members, expected, spec)
            self.assertEqual(segment.member_count, len(expected))
            previous, previous_spec = segment, spec

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
            with form.condition_ids.new() as line:
                line.field_name = "churn_risk"
                line.operator = ">="
                line.value_number = 60
            # not saved yet: the count follows the conditions being edited
            self.assertEqual(form.preview_count, len(expected))
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
