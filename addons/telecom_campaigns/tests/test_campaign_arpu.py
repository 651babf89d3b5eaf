from datetime import date
from statistics import fmean, variance

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .test_campaign import CampaignCommon


@tagged("post_install", "-at_install")
class TestCampaignArpuChange(CampaignCommon):
    """The ARPU change of an A/B campaign comes from billing's monthly rows:
    mean monthly charges after the launch month minus before it, per member."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a second line of North A: its charges add up with the first one's
        cls.second_line = cls._activate_line(cls.lines[cls.subscribers[0]].account_id)
        # the split of 5 subscribers depends on the ids: take a test whose split
        # has a variant group and a control group of two members or more
        for attempt in range(80):
            test = cls.env["telecom.ab.test"].create(
                {
                    "name": f"ARPU {attempt}",
                    "holdout_percent": 50,
                    "variant_ids": [
                        (0, 0, {"name": "Data", "offer_id": cls.offer_data.id})
                    ],
                }
            )
            groups = list(test._assign(cls.subscribers.ids).values())
            if 2 <= groups.count(False) <= 3:
                break
        cls.campaign = (
            cls.env["telecom.campaign"]
            .with_user(cls.marketer_north)
            .create(
                {
                    "name": "ARPU",
                    "segment_id": cls.segment_all.id,
                    "ab_test_id": test.id,
                    "arpu_window_months": 3,
                }
            )
        )
        cls.campaign.action_launch()
        cls.this_month = fields.Date.today().replace(day=1)

    def _launched(self, months_ago):
        launch_month = self.this_month - relativedelta(months=months_ago)
        self.campaign.sudo().launch_date = fields.Datetime.to_datetime(
            launch_month.replace(day=15)
        )
        return launch_month

    def _bill(self, launch_month):
        """Charges of every line from 5 months before the launch to 5 after,
        the launch month included: each member has its own level and trend;
        North B has no month after the launch, South A misses one."""
        rows, charges = [], {}
        for index, partner in enumerate(self.subscribers):
            services = self.lines[partner]
            if index == 0:
                services |= self.second_line
            for offset in range(-5, 6):
                month = launch_month + relativedelta(months=offset)
                if month >= self.this_month:
                    continue
                if (index == 1 and offset > 0) or (index == 3 and offset == 2):
                    continue
                for number, service in enumerate(services):
                    amount = 100 + 17 * index + (3 + index) * offset + 40 * number
                    rows.append(
                        {"service_id": service.id, "month": month,
                         "charged_amount": amount}
                    )  # fmt: skip
                    key = (partner.id, month)
                    charges[key] = charges.get(key, 0) + amount
        self.env["telecom.usage.monthly"]._upsert_monthly(rows, "billing")
        return charges

    def _expected(self, charges, launch_month, months, current_month):
        """Per subscriber, worked out from the rows written."""
        first_after = launch_month + relativedelta(months=1)
        after_end = min(launch_month + relativedelta(months=months + 1), current_month)
        before_start = launch_month - relativedelta(months=months)
        expected = {}
        for partner in self.subscribers:
            before = [
                amount for (pid, month), amount in charges.items()
                if pid == partner.id and before_start <= month < launch_month
            ]  # fmt: skip
            after = [
                amount for (pid, month), amount in charges.items()
                if pid == partner.id and first_after <= month < after_end
            ]  # fmt: skip
            if before and after:
                expected[partner.id] = fmean(after) - fmean(before)
        return expected

    def _assert_groups(self, groups, expected):
        responses = self.campaign.sudo().response_ids
        for group in groups:
            members = responses.filtered(
                lambda response, group=group: (
                    (response.state == "control") == group["is_control"]
                )
            )
            values = [
                expected[pid] for pid in members.partner_id.ids if pid in expected
            ]
            self.assertEqual(group["targeted"], len(members))
            self.assertEqual(group["arpu_n"], len(values))
            self.assertEqual(group["arpu_excluded"], len(members) - len(values))
            self.assertAlmostEqual(group["arpu_mean"], fmean(values) if values else 0)
            self.assertAlmostEqual(
                group["arpu_var"], variance(values) if len(values) > 1 else 0
            )

    def test_arpu_change_from_monthly_rows(self):
        launch_month = self._launched(months_ago=5)
        charges = self._bill(launch_month)
        expected = self._expected(charges, launch_month, 3, self.this_month)
        # North B has no month after: left out; the others all count
        self.assertEqual(len(expected), 4)
        self.assertNotIn(self.subscribers[1].id, expected)
        campaign = self.campaign.with_user(self.marketer_north)
        groups = campaign._get_group_sums()
        self.assertEqual(len(groups), 2)
        self._assert_groups(groups, expected)
        self.assertTrue(groups[0]["arpu_window_complete"])
        # the uplift report shows the same figure per subscriber
        report = self.env["telecom.campaign.report"].search(
            [("campaign_id", "=", self.campaign.id)]
        )
        self.assertEqual(len(report), 5)
        for row in report:
            if row.partner_id.id in expected:
                self.assertAlmostEqual(row.arpu_change, expected[row.partner_id.id])
            else:
                self.assertFalse(row.arpu_change)
        # a longer window reads more months
        campaign.arpu_window_months = 4
        expected = self._expected(charges, launch_month, 4, self.this_month)
        self._assert_groups(campaign._get_group_sums(), expected)
        headers, rows = campaign._get_results_table()
        self.assertEqual(rows[-1][headers.index("Without Billed Months")], sum(
            1 for response in self.campaign.sudo().response_ids
            if response.state == "control"
            and response.partner_id.id not in expected
        ))  # fmt: skip

    def test_no_arpu_verdict_before_the_months_after_are_billed(self):
        # launched two months ago: one month after the launch is over, not three
        launch_month = self._launched(months_ago=2)
        charges = self._bill(launch_month)
        expected = self._expected(charges, launch_month, 3, self.this_month)
        campaign = self.campaign.with_user(self.marketer_north)
        groups = campaign._get_group_sums()
        self._assert_groups(groups, expected)
        self.assertFalse(groups[0]["arpu_window_complete"])
        results = campaign._get_results()
        self.assertEqual(
            {stats["arpu_verdict"] for stats in results["groups"][:-1]},
            {"window_incomplete"},
        )
        self.assertEqual(results["verdict"], "insufficient_data")
        last = launch_month + relativedelta(months=3)
        self.assertIn(
            f"not all over and billed yet (until {last.strftime('%m/%Y')})",
            results["verdict_text"],
        )

    def test_window_over_but_last_month_not_billed(self):
        launch_month = self._launched(months_ago=4)
        # billing has not sent the last month of the window yet
        self.this_month = launch_month + relativedelta(months=3)
        self._bill(launch_month)
        window = self.campaign._get_arpu_sums()[1]
        self.assertTrue(window["ended"])
        self.assertEqual(window["last_month"], launch_month + relativedelta(months=3))
        self.assertFalse(window["complete"])
        self.assertIsInstance(window["last_month"], date)
