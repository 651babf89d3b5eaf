from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import CampaignsCommon


class ScenarioCommon(CampaignsCommon):
    """Subscribers in two zones and helpers to drive the scenario engine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._only_own_subscribers()
        cls.Scenario = cls.env["telecom.scenario"]
        cls.Run = cls.env["telecom.scenario.run"]
        cls.consumer = cls.env.ref("telecom_campaigns.event_consumer_scenarios")
        cls.north, cls.north_account = cls._create_subscriber("Scenario North")
        cls.south, cls.south_account = cls._create_subscriber(
            "Scenario South", zone=cls.zone_south
        )
        cls.segment_north = cls.env["telecom.segment"].create(
            {
                "name": "North",
                "condition_ids": [
                    Command.create(
                        {
                            "field_name": "region",
                            "operator": "in",
                            "region_ids": [Command.set(cls.zone_north.ids)],
                        }
                    )
                ],
            }
        )

    def _scenario(self, steps, **values):
        values.setdefault("trigger_event", "ticket_closed")
        scenario = self.Scenario.create(
            {
                "name": "Test scenario",
                "step_ids": [
                    Command.create({"sequence": index, **step})
                    for index, step in enumerate(steps)
                ],
                **values,
            }
        )
        scenario.action_activate()
        return scenario

    def _task_step(self, user=None):
        return {"action_type": "activity", "user_id": (user or self.retention_agent).id}

    def _emit(self, event_type, partners, payload=None):
        return self.env["telecom.event"]._emit(
            event_type,
            [
                {"partner_id": partner.id, "payload": payload or {}}
                for partner in partners
            ],
        )

    def _drain(self):
        """Deliver the feed to the scenario consumer from its start.

        The test's transaction never commits: its events get the id of a
        long-finished transaction (as in the feed's own tests).
        """
        self.env.flush_all()
        self.env.cr.execute("UPDATE telecom_event SET txid = 3 WHERE txid != 3")
        self.env["telecom.event"].invalidate_model(["txid"])
        self.consumer.action_reset_position()
        while self.Scenario._cron_consume_events():
            pass

    def _offer(self, name, **values):
        return self.env["telecom.offer"].create(
            {
                "name": name,
                "offer_type": "option",
                "option_id": self.option_data.id,
                **values,
            }
        )

    def _runs(self, scenario):
        return self.Run.search([("scenario_id", "=", scenario.id)])

    def _tasks(self, partner, user=None):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "=", partner.id),
                ("user_id", "=", (user or self.retention_agent).id),
            ]
        )


@tagged("post_install", "-at_install")
class TestScenarioTriggers(ScenarioCommon):
    def test_event_starts_one_run_per_occurrence(self):
        scenario = self._scenario([self._task_step()])
        self._emit("ticket.closed", self.north | self.south)
        self._emit("ticket.closed", self.north)
        self._emit("ticket.created", self.north)  # another type: nothing
        self._drain()
        runs = self._runs(scenario)
        self.assertEqual(len(runs), 3)
        self.assertEqual(runs.partner_id, self.north | self.south)
        # the feed delivered again (a reset, a second worker): nothing new
        self._drain()
        self.assertEqual(self._runs(scenario), runs)
        self.Run._cron_advance()
        self.assertEqual(set(runs.mapped("state")), {"done"})
        self.assertEqual(len(self._tasks(self.north)), 2)
        self.assertEqual(len(self._tasks(self.south)), 1)
        # journaled and on the subscriber's timeline
        run = runs.filtered(lambda r: r.partner_id == self.south)
        self.assertEqual(
            run.log_ids.sorted("id").mapped("action_type"), [False, "activity"]
        )
        timeline = self.env["telecom.interaction"].search(
            [("res_model", "=", "telecom.scenario.run"), ("res_id", "=", run.id)]
        )
        self.assertEqual(len(timeline), 2)
        self.assertEqual(timeline.partner_id, self.south)

    def test_paused_scenario_and_old_events_start_nothing(self):
        self._emit("ticket.closed", self.north)
        scenario = self._scenario([self._task_step()])
        # the event happened before the activation
        self.env["telecom.event"].flush_model()
        self.env.cr.execute(
            "UPDATE telecom_event SET date = %s WHERE partner_id = %s",
            [scenario.date_activated - timedelta(hours=1), self.north.id],
        )
        self._drain()
        self.assertFalse(self._runs(scenario))
        scenario.action_pause()
        self._emit("ticket.closed", self.north)
        self._drain()
        self.assertFalse(self._runs(scenario))

    def test_threshold_on_a_subscriber_figure(self):
        scenario = self._scenario([self._task_step()], trigger_event="complaint")
        # the preset: complaints in 30 days at least 3
        self.assertRecordValues(
            scenario,
            [{"threshold_source": "metric", "threshold_metric": "complaint_count_30d",
              "threshold_operator": ">=", "threshold_value": 3.0}],
        )  # fmt: skip
        # every number figure of the metrics, other addons' included
        self.assertIn(
            "complaint_count_30d",
            dict(self.Scenario._selection_threshold_metric()),
        )
        complaints = [(self.north, 3), (self.south, 2)]
        self.env["telecom.interaction"].create(
            [
                {
                    "partner_id": partner.id,
                    "summary": "Complaint",
                    "outcome": "complaint",
                }
                for partner, count in complaints
                for _index in range(count)
            ]
        )
        # each complaint reaches the feed (complaint.registered); a ticket
        # that is not a complaint starts nothing
        self._emit("ticket.created", self.north)
        self._drain()
        runs = self._runs(scenario)
        self.assertEqual(runs.partner_id, self.north)
        self.assertEqual(
            set(runs.event_id.mapped("event_type")), {"complaint.registered"}
        )

    def test_threshold_on_an_event_figure(self):
        scenario = self._scenario([self._task_step()], trigger_event="contract_ending")
        self._emit("billing.contract_ending", self.north, {"days_left": 12})
        self._emit("billing.contract_ending", self.south, {"days_left": 45})
        self._emit("billing.contract_ending", self.south, {"days_left": "soon"})
        self._drain()
        self.assertEqual(self._runs(scenario).partner_id, self.north)

    def test_condition_segment_and_request_events(self):
        scenario = self._scenario(
            [self._task_step()],
            trigger_event="port_out",
            condition_segment_id=self.segment_north.id,
        )
        self._emit(
            "request.submitted", self.north | self.south, {"request_type": "port_out"}
        )
        self._emit("request.submitted", self.north, {"request_type": "block"})
        self._drain()
        runs = self._runs(scenario)
        self.assertEqual(runs.partner_id, self.north)
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs.trigger_key, f"event:{runs.event_id.id}")

    def test_incident_resolved_once_per_incident(self):
        scenario = self._scenario(
            [self._task_step()], trigger_event="incident_resolved"
        )
        # told twice (per incident and per subscriber): one occurrence
        for _told in range(2):
            self.env["telecom.event"]._emit(
                "incident.subscriber_resolved",
                [
                    {
                        "partner_id": self.north.id,
                        "res_model": "telecom.incident",
                        "res_id": 7,
                    }
                ],
            )
        self._drain()
        runs = self._runs(scenario)
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs.trigger_key, "incident:7")

    def test_condition_exclusions_are_evaluated_now(self):
        """An excluded segment counts as it is now, not as last refreshed."""
        south = self.env["telecom.segment"].create(
            {
                "name": "South",
                "condition_ids": [
                    Command.create(
                        {
                            "field_name": "region",
                            "operator": "in",
                            "region_ids": [Command.set(self.zone_south.ids)],
                        }
                    )
                ],
            }
        )
        south._refresh_members()  # fresh, with the South subscriber only
        everybody_but_south = self.env["telecom.segment"].create(
            {"name": "Not South", "exclude_segment_ids": [Command.set(south.ids)]}
        )
        self.north.telecom_region_id = self.zone_south  # moved since the refresh
        scenario = self._scenario(
            [self._task_step()], condition_segment_id=everybody_but_south.id
        )
        self._emit("ticket.closed", self.north | self.south)
        self._drain()
        self.assertFalse(self._runs(scenario))

    def test_other_event_types(self):
        scenario = self._scenario(
            [self._task_step()],
            trigger_event="other",
            event_type_code="billing.payment_*, test.scenario",
        )
        self._emit("billing.payment_received", self.north)
        self._emit("test.scenario", self.south)
        self._emit("billing.invoice_issued", self.south)
        self._drain()
        self.assertEqual(len(self._runs(scenario)), 2)

    def test_schedule(self):
        scenario = self._scenario(
            [self._task_step()],
            trigger_type="schedule",
            interval_number=1,
            interval_type="weeks",
            condition_segment_id=self.segment_north.id,
        )
        first = scenario.next_schedule_date
        runs = self.Scenario._cron_trigger_scheduled()
        self.assertEqual(runs.partner_id, self.north)
        self.assertEqual(scenario.next_schedule_date, first + timedelta(weeks=1))
        # not due again before next week
        self.assertFalse(self.Scenario._cron_trigger_scheduled())
        with freeze_time(first + timedelta(weeks=1, hours=1)):
            again = self.Scenario._cron_trigger_scheduled()
        self.assertEqual(again.partner_id, self.north)
        self.assertNotEqual(again.trigger_key, runs.trigger_key)

    def test_segment_entry(self):
        self._scenario(
            [self._task_step()],
            trigger_type="segment_entry",
            trigger_segment_id=self.segment_north.id,
        )
        self.assertFalse(self.Scenario._cron_trigger_scheduled())
        self.segment_north._refresh_members()
        runs = self.Scenario._cron_trigger_scheduled()
        self.assertEqual(runs.partner_id, self.north)
        self.segment_north._refresh_members()
        self.assertFalse(self.Scenario._cron_trigger_scheduled())


@tagged("post_install", "-at_install")
class TestScenarioSteps(ScenarioCommon):
    def _start(self, scenario, partners):
        return scenario._start_runs_for_partners(partners.ids, "test")

    def test_wait_then_continue(self):
        scenario = self._scenario(
            [{"action_type": "wait", "wait_days": 3}, self._task_step()]
        )
        now = fields.Datetime.now()
        with freeze_time(now):
            run = self._start(scenario, self.north)
            self.Run._cron_advance()
        self.assertRecordValues(
            run,
            [{"state": "waiting", "wake_at": now + timedelta(days=3),
              "step_id": scenario.step_ids[1].id}],
        )  # fmt: skip
        self.assertFalse(self._tasks(self.north))
        with freeze_time(now + timedelta(days=2)):
            self.assertFalse(self.Run._cron_advance())
        with freeze_time(now + timedelta(days=3, minutes=1)):
            self.assertEqual(self.Run._cron_advance(), run)
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self._tasks(self.north)), 1)

    def test_leaving_the_segment_during_a_wait_stops_the_run(self):
        scenario = self._scenario(
            [{"action_type": "wait", "wait_days": 1}, self._task_step()],
            condition_segment_id=self.segment_north.id,
        )
        run = self._start(scenario, self.north)
        self.Run._cron_advance()
        self.north.telecom_region_id = self.zone_south
        with freeze_time(fields.Datetime.now() + timedelta(days=2)):
            self.Run._cron_advance()
        self.assertEqual(run.state, "skipped")
        self.assertFalse(self._tasks(self.north))

    def test_branch(self):
        scenario = self.Scenario.create(
            {
                "name": "Branching",
                "step_ids": [
                    Command.create({"sequence": 1, "action_type": "branch",
                                    "branch_segment_id": self.segment_north.id}),
                    Command.create({"sequence": 2, **self._task_step(self.supervisor)}),
                    Command.create({"sequence": 3, **self._task_step()}),
                ],
            }
        )  # fmt: skip
        branch, for_south, for_all = scenario.step_ids.sorted()
        branch.branch_step_id = for_all
        scenario.action_activate()
        runs = self._start(scenario, self.north | self.south)
        self.Run._cron_advance()
        self.assertEqual(set(runs.mapped("state")), {"done"})
        self.assertFalse(self._tasks(self.north, self.supervisor))
        self.assertEqual(len(self._tasks(self.north)), 1)
        self.assertEqual(len(self._tasks(self.south, self.supervisor)), 1)
        self.assertEqual(len(self._tasks(self.south)), 1)
        north_run = runs.filtered(lambda r: r.partner_id == self.north)
        self.assertIn("goes to", north_run.log_ids.filtered("step_id")[-1].message)

    def test_retention_case_and_offer_through_billing(self):
        line = self._activate_line(self.north_account)
        offer = self.env["telecom.offer"].create(
            {
                "name": "Extra data",
                "offer_type": "option",
                "option_id": self.option_data.id,
            }
        )
        scenario = self._scenario(
            [
                {"action_type": "retention_case", "user_id": self.retention_agent.id},
                {"action_type": "apply_offer", "offer_id": offer.id},
            ]
        )
        run = self._start(scenario, self.north | self.south)
        self.Run._cron_advance()
        case = self.env["telecom.retention.case"].search(
            [("scenario_run_id", "in", run.ids)]
        )
        self.assertEqual(case.partner_id, self.north | self.south)
        self.assertEqual(set(case.mapped("trigger")), {"scenario"})
        request = self.env["telecom.request"].search(
            [("service_id", "=", line.id), ("request_type", "=", "option_change")]
        )
        self.assertEqual(request.option_id, self.option_data)
        self.assertNotEqual(request.state, "draft")
        south_run = run.filtered(lambda r: r.partner_id == self.south)
        self.assertIn("No active line", south_run.log_ids.sorted("id")[-1].message)

    def test_failing_subscriber_fails_alone(self):
        # the unlimited tariff does not allow the data option: refused for north
        self._activate_line(self.north_account, tariff=self.tariff_unlimited)
        south_line = self._activate_line(self.south_account)
        scenario = self._scenario(
            [
                {"action_type": "apply_offer", "option_id": self.option_data.id},
                self._task_step(),
            ]
        )
        runs = self._start(scenario, self.north | self.south)
        self.Run._cron_advance()
        north_run = runs.filtered(lambda r: r.partner_id == self.north)
        self.assertRecordValues(
            runs.sorted(lambda r: r.partner_id != self.north),
            [{"state": "failed"}, {"state": "done"}],
        )
        error = north_run.log_ids.filtered(lambda line: line.level == "error")
        self.assertEqual(len(error), 1)
        self.assertIn(self.option_data, south_line.option_ids)
        self.assertFalse(self._tasks(self.north))
        self.assertTrue(self._tasks(self.south))

    def test_send_offer_and_add_to_campaign(self):
        self._activate_line(self.north_account)
        self._activate_line(self.south_account)
        offer = self.env["telecom.offer"].create(
            {
                "name": "Extra data",
                "offer_type": "option",
                "option_id": self.option_data.id,
            }
        )
        campaign = self.env["telecom.campaign"].create(
            {
                "name": "Autumn",
                "segment_id": self.segment_north.id,
                "offer_id": offer.id,
            }
        )
        campaign.action_launch()
        self.assertEqual(campaign.sudo().response_ids.partner_id, self.north)
        scenario = self._scenario(
            [
                {"action_type": "send_sms", "offer_id": offer.id},
                {"action_type": "add_campaign", "campaign_id": campaign.id},
            ]
        )
        runs = self._start(scenario, self.north | self.south)
        self.Run._cron_advance()
        self.assertEqual(set(runs.mapped("state")), {"done"})
        sent = self.env["telecom.offer.response"].search(
            [("offer_id", "=", offer.id), ("campaign_id", "=", False)]
        )
        self.assertEqual(sent.partner_id, self.north | self.south)
        self.assertEqual(set(sent.mapped("channel")), {"sms"})
        # the South joins the campaign, the North was already targeted
        self.assertEqual(
            campaign.sudo().response_ids.partner_id, self.north | self.south
        )
        north_run = runs.filtered(lambda r: r.partner_id == self.north)
        self.assertIn("Not added", north_run.log_ids.sorted("id")[-1].message)

    def test_expired_offer_fails_the_run(self):
        today = fields.Date.today()
        offer = self.env["telecom.offer"].create(
            {
                "name": "Last summer",
                "offer_type": "option",
                "option_id": self.option_data.id,
                "date_from": today - timedelta(days=90),
                "date_to": today - timedelta(days=1),
            }
        )
        scenario = self._scenario([{"action_type": "send_email", "offer_id": offer.id}])
        run = self._start(scenario, self.north)
        self.Run._cron_advance()
        self.assertEqual(run.state, "failed")
        self.assertIn("Last summer", run.log_ids.sorted("id")[-1].message)

    def test_campaign_not_running_fails_the_runs(self):
        offer = self._offer("Extra data")
        campaign = self.env["telecom.campaign"].create(
            {
                "name": "Winter",
                "segment_id": self.segment_north.id,
                "offer_id": offer.id,
            }
        )
        scenario = self._scenario(
            [{"action_type": "add_campaign", "campaign_id": campaign.id}]
        )
        runs = self._start(scenario, self.north | self.south)
        self.Run._cron_advance()
        self.assertEqual(set(runs.mapped("state")), {"failed"})
        for run in runs:
            errors = run.log_ids.filtered(lambda line: line.level == "error")
            self.assertEqual(len(errors), 1)
            self.assertIn("is not running", errors.message)
        self.assertFalse(campaign.sudo().response_ids)

    def test_apply_offer_keeps_its_eligibility(self):
        north_line = self._activate_line(self.north_account)
        south_line = self._activate_line(self.south_account)
        offer = self._offer("North data", eligibility_segment_id=self.segment_north.id)
        scenario = self._scenario(
            [{"action_type": "apply_offer", "offer_id": offer.id}]
        )
        runs = self._start(scenario, self.north | self.south)
        self.Run._cron_advance()
        self.assertEqual(set(runs.mapped("state")), {"done"})
        requests = self.env["telecom.request"].search(
            [
                ("service_id", "in", (north_line | south_line).ids),
                ("request_type", "=", "option_change"),
            ]
        )
        self.assertEqual(requests.service_id, north_line)
        south_run = runs.filtered(lambda r: r.partner_id == self.south)
        self.assertIn("Not eligible", south_run.log_ids.sorted("id")[-1].message)

    def test_marketer_adds_an_offer_step_through_the_form(self):
        offer = self._offer("Extra data")
        form = Form(self.Scenario.with_user(self.marketer_north))
        form.name = "Complaints"
        form.trigger_event = "complaint"
        with form.step_ids.new() as step:
            step.action_type = "send_sms"
            step.offer_id = offer
        scenario = form.save()
        self.assertEqual(scenario.step_ids.name, "SMS offer Extra data")
        scenario.action_activate()
        self.assertEqual(scenario.state, "running")
        # an offer of another branch cannot be chosen
        other_company = self.env["res.company"].create({"name": "Other branch"})
        foreign = self._offer("Foreign", company_id=other_company.id)
        with self.assertRaises(UserError):
            scenario.step_ids.write({"offer_id": foreign.id})

    def test_replay(self):
        scenario = self._scenario([self._task_step()])
        run = self._start(scenario, self.north)
        self.Run._cron_advance()
        self.assertEqual(run.state, "done")
        run.with_user(self.marketer_north).action_replay()
        self.assertRecordValues(run, [{"state": "done", "replay_count": 1}])
        self.assertEqual(len(self._tasks(self.north)), 2)
        self.assertIn("Replayed by", " ".join(run.log_ids.mapped("message")))
        # another zone's marketer cannot
        with self.assertRaises(AccessError):
            run.with_user(self.marketer_south).action_replay()
        # a run in progress is not replayed
        waiting = self._scenario([{"action_type": "wait", "wait_days": 2}])
        waiting_run = self._start(waiting, self.north)
        with self.assertRaises(UserError):
            waiting_run.with_user(self.marketer_north).action_replay()

    def test_runs_follow_the_subscriber_zone(self):
        scenario = self._scenario([self._task_step()])
        runs = self._start(scenario, self.north | self.south)
        self.Run._cron_advance()
        for user, partner in (
            (self.marketer_north, self.north),
            (self.marketer_south, self.south),
        ):
            visible = self.Run.with_user(user).search(
                [("scenario_id", "=", scenario.id)]
            )
            self.assertEqual(visible.partner_id, partner)
            logs = (
                self.env["telecom.scenario.run.log"]
                .with_user(user)
                .search([("run_id", "in", runs.ids)])
            )
            self.assertEqual(logs.run_id.partner_id, partner)
            self.assertEqual(partner.with_user(user).telecom_scenario_run_count, 1)
        # the journal is written by the engine only
        with self.assertRaises(AccessError):
            self.env["telecom.scenario.run.log"].with_user(self.marketer_north).create(
                {"run_id": runs[0].id, "message": "x"}
            )

    def test_marketer_builds_and_activates_through_the_form(self):
        form = Form(self.Scenario.with_user(self.marketer_north))
        form.name = "Usage drop"
        form.trigger_event = "usage_drop"
        self.assertEqual(form.threshold_source, "payload")
        self.assertEqual(form.threshold_payload_key, "drop_percent")
        with form.step_ids.new() as step:
            step.action_type = "wait"
            step.wait_days = 2
        with form.step_ids.new() as step:
            step.action_type = "activity"
            step.user_id = self.retention_agent
        scenario = form.save()
        self.assertEqual(scenario.step_ids.mapped("name")[0], "Wait 2 days")
        scenario.action_activate()
        self.assertEqual(scenario.state, "running")
        scenario.action_pause()
        scenario.action_reset_draft()
        self.assertEqual(scenario.state, "draft")

    def test_invalid_scenarios_are_refused(self):
        Scenario = self.Scenario.with_user(self.marketer_north)
        no_step = Scenario.create({"name": "Empty"})
        with self.assertRaisesRegex(UserError, "has no step"):
            no_step.action_activate()
        no_user = Scenario.create(
            {
                "name": "No one",
                "step_ids": [Command.create({"action_type": "activity"})],
            }
        )
        with self.assertRaisesRegex(UserError, "assigned to"):
            no_user.action_activate()
        scheduled = Scenario.create(
            {"name": "Weekly", "trigger_type": "schedule",
             "step_ids": [Command.create(self._task_step())]}
        )  # fmt: skip
        with self.assertRaisesRegex(UserError, "segment"):
            scheduled.action_activate()
        backwards = Scenario.create(
            {
                "name": "Backwards",
                "step_ids": [
                    Command.create({"sequence": 1, **self._task_step()}),
                    Command.create({"sequence": 2, "action_type": "branch",
                                    "branch_segment_id": self.segment_north.id}),
                ],
            }
        )  # fmt: skip
        first, branch = backwards.step_ids.sorted()
        branch.branch_step_id = first
        with self.assertRaisesRegex(UserError, "later step"):
            backwards.action_activate()
        mail = Scenario.create(
            {
                "name": "Mail",
                "step_ids": [Command.create({"action_type": "send_email"})],
            }
        )
        with self.assertRaisesRegex(UserError, "choose the offer"):
            mail.action_activate()
        join = Scenario.create(
            {
                "name": "Join",
                "step_ids": [Command.create({"action_type": "add_campaign"})],
            }
        )
        with self.assertRaisesRegex(UserError, "choose the campaign"):
            join.action_activate()
        apply_nothing = Scenario.create(
            {
                "name": "Apply",
                "step_ids": [Command.create({"action_type": "apply_offer"})],
            }
        )
        with self.assertRaisesRegex(UserError, "the option or an offer"):
            apply_nothing.action_activate()
        self.assertEqual(no_step.state, "draft")
