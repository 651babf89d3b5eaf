"""Segment membership equals its conditions, property-based.

Hypothesis generates the subscribers' data (zone, customer segment, metrics
with unknown figures, services with their state and options) and random
condition trees (nested all/any groups, exclusions); the materialised
membership must equal an independent Python evaluation of the same tree over
the generated rows. The number of examples follows ``TELECOM_TEST_PROFILE``.
"""

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from ..models.telecom_segment_condition import OPERATORS_BY_KIND, SEGMENT_FIELDS
from .common import CampaignsCommon
from .segment_evaluation import evaluate_segment

PROFILE = os.environ.get("TELECOM_TEST_PROFILE", "full")
EXAMPLES = 15 if PROFILE == "ci" else 60
PARTNERS = 24
# small value domains so that thresholds often equal a value of the data
NUMBERS = st.one_of(st.none(), st.integers(0, 3))
THRESHOLDS = st.integers(0, 3).map(float)
TEXTS = ("a", "b")
# metric columns of the kinds the independent evaluation knows, read from the
# registry of condition fields: fields added there are generated as well
METRIC_FIELDS = {
    key: spec[1]
    for key, spec in SEGMENT_FIELDS.items()
    if spec[2] == "m" and spec[1] in ("number", "boolean", "text")
}
TREE_FIELDS = [
    key
    for key, spec in SEGMENT_FIELDS.items()
    if key in METRIC_FIELDS or spec[1] in ("region", "tariff", "option", "selection")
]


# ------------------------------------------------------------------
# strategies
# ------------------------------------------------------------------
@st.composite
def subscribers(draw):
    rows = []
    for __ in range(PARTNERS):
        metric = None
        if draw(st.booleans()) or draw(st.booleans()):  # 3 in 4 have metrics
            metric = {
                key: draw(NUMBERS)
                if kind == "number"
                else draw(st.one_of(st.none(), st.booleans()))
                if kind == "boolean"
                else draw(st.one_of(st.none(), st.sampled_from(TEXTS)))
                for key, kind in METRIC_FIELDS.items()
            }  # fmt: skip
            metric["tariff"] = draw(st.integers(-1, 2))
        rows.append(
            {
                "zone": draw(st.integers(-1, 2)),
                "segment": draw(st.sampled_from([None, "mass", "vip", "b2b"])),
                "metric": metric,
                "service_state": draw(
                    st.sampled_from(["active", "blocked", "terminated", "pending"])
                ),
                "options": draw(st.sets(st.integers(0, 1))),
            }
        )
    return rows


@st.composite
def leaf(draw):
    field = draw(st.sampled_from(TREE_FIELDS))
    kind = SEGMENT_FIELDS[field][1]
    node = {
        "group": False,
        "field": field,
        "kind": kind,
        "operator": draw(st.sampled_from(OPERATORS_BY_KIND[kind])),
    }
    if kind == "number":
        node["value"] = draw(THRESHOLDS)
        node["value_to"] = draw(THRESHOLDS)
    elif kind == "text":
        node["value"] = draw(st.sampled_from(TEXTS))
    elif kind == "selection":
        node["value"] = draw(st.sampled_from(["mass", "vip", "b2b"]))
    elif kind in ("region", "tariff", "option"):
        count = 2 if kind == "option" else 3
        node["value"] = draw(st.sets(st.integers(0, count - 1), min_size=1, max_size=2))
    return node


trees = st.recursive(
    leaf(),
    lambda children: st.builds(
        lambda match, nodes: {"group": True, "match": match, "children": nodes},
        st.sampled_from(["all", "any"]),
        st.lists(children, max_size=3),
    ),
    max_leaves=6,
)
segments = st.fixed_dictionaries(
    {
        "match": st.sampled_from(["all", "any"]),
        "nodes": st.lists(trees, max_size=3),
    }
)


@tagged("post_install", "-at_install")
class TestSegmentProperty(CampaignsCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.zones = (cls.zone_north | cls.zone_north_city | cls.zone_south).ids
        # the zone tree as the test knows it, not through parent_path
        cls.zone_parent = {cls.zone_north_city.id: cls.zone_north.id}
        cls.tariffs = (cls.tariff_basic | cls.tariff_unlimited | cls.tariff_home).ids
        cls.options = (cls.option_roaming | cls.option_data).ids
        cls.partner_ids = []
        cls.service_ids = []
        for index in range(PARTNERS):
            partner, account = cls._create_subscriber(f"Property {index}")
            cls.partner_ids.append(partner.id)
            cls.service_ids.append(cls._activate_line(account).id)

    # ------------------------------------------------------------------
    # writing the generated data (SQL: one statement per table)
    # ------------------------------------------------------------------
    def _zone(self, index):
        return self.zones[index] if index >= 0 else None

    def _write_data(self, rows):
        self.env.flush_all()
        cr = self.env.cr
        ids = self.partner_ids
        cr.execute(
            SQL(
                """UPDATE res_partner partner
                      SET telecom_region_id = data.zone, telecom_segment = data.segment
                     FROM unnest(%s::int[], %s::int[], %s::varchar[])
                          AS data(id, zone, segment)
                    WHERE partner.id = data.id""",
                ids,
                [self._zone(row["zone"]) for row in rows],
                [row["segment"] for row in rows],
            )
        )
        cr.execute(
            SQL("DELETE FROM telecom_subscriber_metric WHERE partner_id = ANY(%s)", ids)
        )
        columns = list(METRIC_FIELDS)
        values = [
            SQL(
                "(%s)",
                SQL(", ").join(
                    [
                        SQL("%s", partner_id),
                        SQL("%s", self._zone(row["zone"])),
                        SQL("%s", self._tariff(row)),
                        *(SQL("%s", row["metric"][column]) for column in columns),
                    ]
                ),
            )
            for partner_id, row in zip(ids, rows, strict=True)
            if row["metric"] is not None
        ]
        if values:
            cr.execute(
                SQL(
                    "INSERT INTO telecom_subscriber_metric"
                    " (partner_id, region_id, tariff_id, %s) VALUES %s",
                    SQL(", ").join(SQL.identifier(column) for column in columns),
                    SQL(", ").join(values),
                )
            )
        cr.execute(
            SQL(
                """UPDATE telecom_service service SET state = data.state
                     FROM unnest(%s::int[], %s::varchar[]) AS data(id, state)
                    WHERE service.id = data.id""",
                self.service_ids,
                [row["service_state"] for row in rows],
            )
        )
        cr.execute(
            SQL(
                "DELETE FROM telecom_service_option_rel WHERE service_id = ANY(%s)",
                self.service_ids,
            )
        )
        pairs = [
            (service_id, self.options[option])
            for service_id, row in zip(self.service_ids, rows, strict=True)
            for option in row["options"]
        ]
        if pairs:
            cr.execute(
                SQL(
                    "INSERT INTO telecom_service_option_rel (service_id, product_id)"
                    " VALUES %s",
                    SQL(", ").join(SQL("(%s, %s)", *pair) for pair in pairs),
                )
            )
        self.env.invalidate_all()

    def _tariff(self, row):
        index = row["metric"]["tariff"]
        return self.tariffs[index] if index >= 0 else None

    # ------------------------------------------------------------------
    # building the segment as a marketer would, and the expected members
    # ------------------------------------------------------------------
    def _node_values(self, node):
        if node["group"]:
            return {
                "is_group": True,
                "match": node["match"],
                "child_ids": [
                    Command.create(self._node_values(child))
                    for child in node["children"]
                ],
            }
        values = {"field_name": node["field"], "operator": node["operator"]}
        kind, value = node["kind"], node.get("value")
        if kind == "number":
            values.update(value_number=value, value_number_to=node["value_to"])
        elif kind == "text":
            values["value_text"] = value
        elif kind == "selection":
            values["value_segment"] = value
        elif kind == "region":
            values["region_ids"] = [Command.set([self.zones[i] for i in value])]
        elif kind == "tariff":
            values["tariff_ids"] = [Command.set([self.tariffs[i] for i in value])]
        elif kind == "option":
            values["option_ids"] = [Command.set([self.options[i] for i in value])]
        return values

    def _create_segment(self, name, spec, excluded=None):
        return (
            self.env["telecom.segment"]
            .with_user(self.marketer_north)
            .create(
                {
                    "name": name,
                    "match": spec["match"],
                    "condition_ids": [
                        Command.create(self._node_values(node))
                        for node in spec["nodes"]
                    ],
                    "exclude_segment_ids": [Command.set(excluded.ids)]
                    if excluded
                    else [],
                }
            )
        )

    def _facts(self, rows):
        """The generated rows as the independent evaluation reads them."""
        facts = {}
        for partner_id, row in zip(self.partner_ids, rows, strict=True):
            zone = self._zone(row["zone"])
            zones = set()
            while zone:
                zones.add(zone)
                zone = self.zone_parent.get(zone)
            # the options of an active or blocked service count
            live = row["service_state"] in ("active", "blocked")
            metric = dict(row["metric"] or {})
            metric["tariff"] = self._tariff(row) if row["metric"] else None
            facts[partner_id] = {
                "zones": zones,
                "segment": row["segment"],
                "metric": metric,
                "options": {self.options[i] for i in row["options"]} if live else set(),
            }
        return facts

    def _expected(self, spec, facts):
        resolved = self._resolve(spec)
        return {
            partner_id
            for partner_id, fact in facts.items()
            if evaluate_segment(resolved, fact)
        }

    def _resolve(self, node):
        """Indexes of the generated values -> record ids, for the evaluation."""
        if "nodes" in node:
            return {**node, "nodes": [self._resolve(n) for n in node["nodes"]]}
        if node["group"]:
            return {**node, "children": [self._resolve(n) for n in node["children"]]}
        table = {
            "region": self.zones,
            "tariff": self.tariffs,
            "option": self.options,
        }.get(node["kind"])
        if table:
            return {**node, "value": {table[i] for i in node["value"]}}
        return node

    def _members(self, segment):
        self.env.cr.execute(
            SQL(
                "SELECT partner_id FROM telecom_segment_member"
                " WHERE segment_id = %s AND snapshot_id IS NULL",
                segment.id,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _visible_to_north(self, partner_ids, facts):
        return {
            partner_id
            for partner_id in partner_ids
            if not facts[partner_id]["zones"]
            or self.zone_north.id in facts[partner_id]["zones"]
        }

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=PROFILE == "ci",
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(rows=subscribers(), spec=segments, excluded_spec=segments)
    def test_membership_equals_the_conditions(self, rows, spec, excluded_spec):
        self._write_data(rows)
        facts = self._facts(rows)
        excluded = self._create_segment("Excluded", excluded_spec)
        segment = self._create_segment("Target", spec, excluded)
        in_excluded = self._expected(excluded_spec, facts)
        expected = self._expected(spec, facts) - in_excluded
        # the exclusion is not fresh yet: its conditions are compiled live
        self.assertFalse(excluded._is_fresh())
        self.assertEqual(
            segment.preview_count, len(self._visible_to_north(expected, facts))
        )
        # both refreshed: the excluded one first, then read from its members
        (segment | excluded)._refresh_members()
        self.assertTrue(excluded._is_fresh())
        self.assertIn("telecom_segment_member", segment._get_predicate().code)
        self.assertEqual(self._members(excluded), in_excluded)
        self.assertEqual(self._members(segment), expected)
        self.assertEqual(segment.member_count, len(expected))
        # the marketer of the north sees the members of the north only
        self.assertEqual(
            set(segment.member_ids.partner_id.ids),
            self._visible_to_north(expected, facts),
        )
        # the compile API agrees on any list of ids
        self.assertEqual(segment._filter_partner_ids(self.partner_ids), expected)
