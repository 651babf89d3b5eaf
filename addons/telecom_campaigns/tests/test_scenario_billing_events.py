from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.telecom_subscriber.models.telecom_usage_monthly import month_start

from .test_scenario import ScenarioCommon


@tagged("post_install", "-at_install")
class TestScenarioBillingEvents(ScenarioCommon):
    """The billing presets fire from the facts the CRM records, once per fact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "telecom_contract_ending_days": 30,
                "telecom_promotion_ending_days": 14,
                "telecom_usage_drop_percent": 30.0,
            }
        )
        cls.north_line = cls._activate_line(cls.north_account)
        cls.south_line = cls._activate_line(cls.south_account)
        cls.today = fields.Date.context_today(cls.env["telecom.service"])

    def _marketer_scenario(self, trigger_event):
        """Built and activated by a marketer: a task for the retention agent."""
        scenario = self.Scenario.with_user(self.marketer_north).create(
            {
                "name": f"On {trigger_event}",
                "trigger_event": trigger_event,
                "step_ids": [(0, 0, self._task_step())],
            }
        )
        scenario.action_activate()
        return scenario

    def _run_daily_jobs(self):
        self.env["telecom.service"]._cron_emit_ending_events()
        self._drain()

    def test_contract_ending_starts_one_run_per_end(self):
        scenario = self._marketer_scenario("contract_ending")
        self.north_line.commitment_end_date = self.today + timedelta(days=25)
        self.south_line.commitment_end_date = self.today + timedelta(days=60)
        for _day in range(2):
            self._run_daily_jobs()
        runs = self._runs(scenario)
        self.assertEqual(runs.partner_id, self.north)
        self.assertEqual(runs.event_id.event_type, "billing.contract_ending")
        self.Run._cron_advance()
        self.assertEqual(len(self._tasks(self.north)), 1)
        # the retention agent sees the run on the subscriber of the zone
        self.assertEqual(
            self.Run.with_user(self.marketer_north).search(
                [("scenario_id", "=", scenario.id)]
            ),
            runs,
        )

    def test_promotion_ending_within_the_preset_days(self):
        scenario = self._marketer_scenario("promotion_ending")
        # the company tells promotions 30 days ahead, the preset waits for 14
        self.company.telecom_promotion_ending_days = 30
        self.north_line.write(
            {
                "promotion_name": "Double data",
                "promotion_end_date": self.today + timedelta(days=7),
            }
        )
        self.south_line.write(
            {
                "promotion_name": "Double data",
                "promotion_end_date": self.today + timedelta(days=20),
            }
        )
        self._run_daily_jobs()
        self._run_daily_jobs()
        self.assertEqual(self._runs(scenario).partner_id, self.north)

    def test_usage_drop_starts_one_run_per_month(self):
        scenario = self._marketer_scenario("usage_drop")
        Usage = self.env["telecom.usage.monthly"].sudo()

        def upsert(line, figures):
            Usage._upsert_monthly(
                [
                    {
                        "service_id": line.id,
                        "month": month_start(self.today) - relativedelta(months=ago),
                        "data_mb": data,
                        "charged_amount": 500,
                    }
                    for ago, data in figures.items()
                ],
                "billing",
            )

        history = {4: 2000, 3: 2000, 2: 2000}
        upsert(self.north_line, {**history, 1: 600})
        upsert(self.south_line, {**history, 1: 1800})
        self._drain()
        # the hourly pull brings the same months again
        upsert(self.north_line, {**history, 1: 600})
        self._drain()
        runs = self._runs(scenario)
        self.assertEqual(runs.partner_id, self.north)
        self.assertEqual(runs.event_id.payload["drop_percent"], 70.0)


@tagged("post_install", "-at_install")
class TestScenarioThresholdCrossing(ScenarioCommon):
    """A threshold on a subscriber figure starts a run when it is crossed."""

    def _complaints(self, partner, count):
        interactions = self.env["telecom.interaction"].create(
            [
                {
                    "partner_id": partner.id,
                    "summary": "Complaint",
                    "outcome": "complaint",
                }
                for _index in range(count)
            ]
        )
        self._drain()
        return interactions

    def _age(self, interactions, days):
        interactions.write({"date": fields.Datetime.now() - timedelta(days=days)})

    def test_crossing_starts_one_run_until_the_count_falls(self):
        scenario = self._scenario([self._task_step()], trigger_event="complaint")
        complaints = self._complaints(self.north, 2)
        self.assertFalse(self._runs(scenario), "2 complaints: below 3")
        complaints |= self._complaints(self.north, 1)
        runs = self._runs(scenario)
        self.assertEqual(len(runs), 1, "the third complaint crosses the threshold")
        self.assertEqual(runs.trigger_key, "crossing:1")
        self.assertEqual(runs.event_id.event_type, "complaint.registered")
        # the 4th and 5th complaints: the count stays above, nothing new
        complaints |= self._complaints(self.north, 1)
        complaints |= self._complaints(self.north, 1)
        self.assertEqual(self._runs(scenario), runs)
        # a month passes: the count falls below 3 without any event; the
        # metrics' refresh and the hourly job notice it
        self._age(complaints, 40)
        self.env["telecom.subscriber.metric"]._refresh(self.north.ids)
        self.Scenario._cron_trigger_scheduled()
        self._complaints(self.north, 2)
        self.assertEqual(self._runs(scenario), runs)
        self._complaints(self.north, 1)
        second = self._runs(scenario) - runs
        self.assertEqual(second.trigger_key, "crossing:2")

    def test_an_event_below_the_threshold_rearms_it(self):
        scenario = self._scenario([self._task_step()], trigger_event="complaint")
        complaints = self._complaints(self.north, 3)
        self.assertEqual(len(self._runs(scenario)), 1)
        self._age(complaints, 40)
        # a new complaint finds the count at 1: below, the next crossing counts
        self._complaints(self.north, 1)
        self._complaints(self.north, 2)
        self.assertEqual(
            sorted(self._runs(scenario).mapped("trigger_key")),
            ["crossing:1", "crossing:2"],
        )

    def test_two_subscribers_cross_in_one_batch(self):
        scenario = self._scenario([self._task_step()], trigger_event="complaint")
        self.env["telecom.interaction"].create(
            [
                {"partner_id": partner.id, "summary": "C", "outcome": "complaint"}
                for partner in (self.north, self.south)
                for _index in range(4)
            ]
        )
        self._drain()
        runs = self._runs(scenario)
        self.assertEqual(runs.partner_id, self.north | self.south)
        self.assertEqual(set(runs.mapped("trigger_key")), {"crossing:1"})
