from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import CampaignsCommon


@tagged("post_install", "-at_install")
class TestSegmentNested(CampaignsCommon):
    """Groups, the option condition, the compile API and the exclusion rule,
    used as a marketer of the north."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.roamer, account = cls._create_subscriber("Roamer")
        cls._activate_line(account, options=cls.option_roaming)
        cls.data_user, account = cls._create_subscriber("Data user")
        cls._activate_line(account, options=cls.option_data)
        cls.plain, account = cls._create_subscriber("Plain", zone=cls.zone_south)
        cls._activate_line(account)
        cls.everybody = cls.roamer | cls.data_user | cls.plain
        cls.env["telecom.subscriber.metric"]._refresh(cls.everybody.ids)
        cls.Segment = cls.env["telecom.segment"].with_user(cls.marketer_north)

    def _option(self, option, operator="in"):
        return {
            "field_name": "option",
            "operator": operator,
            "option_ids": [Command.set(option.ids)],
        }

    def test_option_condition_reads_live_services(self):
        segment = self.Segment.create(
            {
                "name": "Roaming",
                "condition_ids": [Command.create(self._option(self.option_roaming))],
            }
        )
        self.assertEqual(
            segment._filter_partner_ids(self.everybody.ids), {self.roamer.id}
        )
        none_of = self.Segment.create(
            {
                "name": "No option",
                "condition_ids": [
                    Command.create(
                        self._option(self.option_roaming | self.option_data, "not in")
                    )
                ],
            }
        )
        self.assertEqual(
            none_of._filter_partner_ids(self.everybody.ids), {self.plain.id}
        )

    def test_nested_groups_any_inside_all(self):
        # in the north AND (roaming OR (data AND NOT roaming)) -> both north ones
        segment = self.Segment.create(
            {
                "name": "Nested",
                "match": "all",
                "condition_ids": [
                    Command.create(
                        {
                            "field_name": "region",
                            "operator": "in",
                            "region_ids": [Command.set(self.zone_north.ids)],
                        }
                    ),
                    Command.create(
                        {
                            "is_group": True,
                            "match": "any",
                            "child_ids": [
                                Command.create(self._option(self.option_roaming)),
                                Command.create(
                                    {
                                        "is_group": True,
                                        "match": "all",
                                        "child_ids": [
                                            Command.create(
                                                self._option(self.option_data)
                                            ),
                                            Command.create(
                                                self._option(
                                                    self.option_roaming, "not in"
                                                )
                                            ),
                                        ],
                                    }
                                ),
                            ],
                        }
                    ),
                ],
            }
        )
        self.assertEqual(len(segment.condition_ids), 2)
        self.assertEqual(len(segment.group_ids), 1)
        self.assertEqual(len(segment.leaf_condition_ids), 1)
        segment._refresh_members()
        self.assertEqual(
            set(segment.member_ids.partner_id.ids), {self.roamer.id, self.data_user.id}
        )
        # the same tree through the API for other owners (offers, scenarios)
        nodes = segment.condition_ids
        inner = segment.group_ids.child_ids.filtered("is_group")
        self.assertEqual(
            inner._filter_partner_ids(self.everybody.ids), {self.data_user.id}
        )
        self.assertEqual(
            nodes._filter_partner_ids(self.everybody.ids, match="any"),
            {self.roamer.id, self.data_user.id},
        )
        self.env.cr.execute(nodes._get_partner_ids_sql(match="all"))
        self.assertEqual(
            {row[0] for row in self.env.cr.fetchall()},
            {self.roamer.id, self.data_user.id},
        )
        # an empty group is ignored
        segment.group_ids.child_ids.unlink()
        self.assertEqual(segment.preview_count, 2)  # the north ones the user sees
        with self.assertRaises(ValidationError):
            segment.group_ids.parent_id = segment.group_ids
        with self.assertRaises(ValidationError):
            segment.leaf_condition_ids.child_ids = [
                Command.create(self._option(self.option_data))
            ]

    def test_exclusion_uses_fresh_members_only(self):
        roaming = self.Segment.create(
            {
                "name": "Roaming",
                "condition_ids": [Command.create(self._option(self.option_roaming))],
            }
        )
        target = self.Segment.create(
            {
                "name": "All but roaming",
                "exclude_segment_ids": [Command.set(roaming.ids)],
            }
        )
        self.assertFalse(roaming._is_fresh())
        self.assertNotIn("telecom_segment_member", target._get_predicate().code)
        roaming._refresh_members()
        self.assertTrue(roaming._is_fresh())
        self.assertIn("telecom_segment_member", target._get_predicate().code)
        # the materialised members count, not the conditions: a new roamer
        # enters only at the excluded segment's next refresh
        self.data_user.telecom_service_ids.sudo().option_ids = self.option_roaming
        self.assertEqual(
            target._filter_partner_ids(self.everybody.ids),
            {self.data_user.id, self.plain.id},
        )
        # unless asked to evaluate every exclusion live
        self.assertEqual(
            target._filter_partner_ids(self.everybody.ids, live=True), {self.plain.id}
        )
        # a changed definition is not fresh any more: conditions again
        roaming.condition_ids.option_ids = self.option_roaming | self.option_data
        self.assertFalse(roaming._is_fresh())
        self.assertEqual(
            target._filter_partner_ids(self.everybody.ids), {self.plain.id}
        )
        roaming._refresh_members()
        self.assertTrue(roaming._is_fresh())
        # too old: conditions again
        roaming.sudo().refresh_date = fields.Datetime.now() - timedelta(hours=25)
        self.assertFalse(roaming._is_fresh())
        self.env["ir.config_parameter"].sudo().set_param(
            "telecom_campaigns.segment_fresh_hours", 48
        )
        self.assertTrue(roaming._is_fresh())

    def test_refresh_orders_excluded_segments_first(self):
        roaming = self.Segment.create(
            {
                "name": "Roaming",
                "condition_ids": [Command.create(self._option(self.option_roaming))],
            }
        )
        target = self.Segment.create(
            {
                "name": "All but roaming",
                "exclude_segment_ids": [Command.set(roaming.ids)],
            }
        )
        self.assertEqual((target | roaming)._sorted_for_refresh(), roaming | target)
        (target | roaming)._refresh_members()
        self.assertEqual(
            set(target.sudo().member_ids.partner_id.ids),
            {self.data_user.id, self.plain.id},
        )
        # the marketer of the north sees the north member only
        members = self.env["telecom.segment.member"].with_user(self.marketer_north)
        self.assertEqual(
            members.search([("segment_id", "=", target.id)]).partner_id, self.data_user
        )
