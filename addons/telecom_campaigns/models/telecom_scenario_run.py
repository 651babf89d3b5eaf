from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, create_index

RUN_STATES = [
    ("running", "Running"),
    ("waiting", "Waiting"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("skipped", "Skipped"),
]


class TelecomScenarioRun(models.Model):
    """One subscriber going through a scenario for one trigger occurrence.

    ``trigger_key`` names the occurrence (``event:<id>``, ``schedule:<date>``,
    ``segment:<segment>:<date entered>``); the unique constraint on (scenario,
    subscriber, key) makes starting a run idempotent: two workers inserting the
    same occurrence get one run (``INSERT ... ON CONFLICT DO NOTHING``).
    ``step_id`` is the next step to execute, ``wake_at`` when: the advance cron
    takes the due runs in batches (``FOR UPDATE SKIP LOCKED``), executes the
    steps group by group and journals each in ``telecom.scenario.run.log``.
    """

    _name = "telecom.scenario.run"
    _description = "Scenario Run"
    _order = "id desc"

    scenario_id = fields.Many2one(
        "telecom.scenario", required=True, readonly=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    trigger_key = fields.Char(
        string="Trigger Occurrence",
        required=True,
        readonly=True,
        help="What started the run; a trigger occurrence starts one run per "
        "subscriber.",
    )
    event_id = fields.Many2one(
        "telecom.event", string="Triggering Event", readonly=True, ondelete="set null"
    )
    state = fields.Selection(
        RUN_STATES, required=True, default="running", readonly=True, index=True
    )
    step_id = fields.Many2one(
        "telecom.scenario.step",
        string="Next Step",
        readonly=True,
        ondelete="set null",
    )
    wake_at = fields.Datetime(
        string="Continues On", readonly=True, help="When the next step runs."
    )
    region_id = fields.Many2one(
        "telecom.region", string="Zone", readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", string="Branch", readonly=True)
    date_start = fields.Datetime(string="Started On", readonly=True)
    date_done = fields.Datetime(string="Ended On", readonly=True)
    replay_count = fields.Integer(string="Replays", readonly=True)
    log_ids = fields.One2many("telecom.scenario.run.log", "run_id", string="Journal")

    _sql_constraints = [
        (
            "trigger_uniq",
            "unique(scenario_id, partner_id, trigger_key)",
            "A trigger occurrence starts one run per subscriber.",
        ),
    ]

    def init(self):
        # the advance cron reads the due runs
        create_index(
            self.env.cr,
            "telecom_scenario_run_due_index",
            self._table,
            ["wake_at", "id"],
            where="state IN ('running', 'waiting')",
        )

    @api.depends("scenario_id", "partner_id")
    def _compute_display_name(self):
        for run in self:
            run.display_name = f"{run.scenario_id.name} / {run.partner_id.name}"

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_replay(self):
        """Run the scenario again from its first step for these subscribers."""
        self.check_access("write")
        if any(run.state in ("running", "waiting") for run in self):
            raise UserError(self.env._("Only ended runs can be replayed."))
        # sudo: the steps run with the scenario engine's rights, as in the
        # cron; the user's right on these runs was checked above
        runs = self.sudo()
        now = fields.Datetime.now()
        for scenario, group in runs.grouped("scenario_id").items():
            group.write(
                {
                    "state": "running",
                    "step_id": scenario.step_ids.sorted()[:1].id,
                    "wake_at": now,
                    "date_done": False,
                }
            )
        runs.flush_recordset()
        self.env.cr.execute(
            SQL(
                "UPDATE telecom_scenario_run SET replay_count = replay_count + 1"
                " WHERE id = ANY(%s)",
                runs.ids,
            )
        )
        runs.invalidate_recordset(["replay_count"])
        runs._log(False, self.env._("Replayed by %s.", self.env.user.name))
        runs.filtered(lambda run: run.scenario_id.state == "running")._advance()
        return True

    # ------------------------------------------------------------------
    # the engine
    # ------------------------------------------------------------------
    @api.model
    def _cron_advance(self, limit=500):
        """Execute the due runs, one batch; run again while some remain."""
        runs = self._lock_due_runs(limit)
        runs._advance()
        self.env["ir.cron"]._notify_progress(
            done=len(runs), remaining=1 if len(runs) == limit else 0
        )
        return runs

    @api.model
    def _lock_due_runs(self, limit):
        """Due runs of running scenarios, locked: another worker skips them."""
        self.flush_model()
        self.env["telecom.scenario"].flush_model(["state", "active"])
        self.env.cr.execute(
            SQL(
                """SELECT run.id FROM telecom_scenario_run run
                     JOIN telecom_scenario scenario ON scenario.id = run.scenario_id
                    WHERE run.state IN ('running', 'waiting') AND run.wake_at <= %s
                      AND scenario.state = 'running' AND scenario.active
                    ORDER BY run.wake_at, run.id
                    LIMIT %s
                      FOR UPDATE OF run SKIP LOCKED""",
                fields.Datetime.now(),
                limit,
            )
        )
        # sudo: the engine acts on the subscribers of every zone
        return self.sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _advance(self):
        """Execute the steps of the runs until each waits, ends or fails.

        Runs at the same step execute it together (one statement per step and
        action, not per subscriber); a branch only jumps forward, so this ends.
        """
        waking = self.filtered(lambda run: run.state == "waiting")
        waking._skip_no_longer_matching()
        waking.filtered(lambda run: run.state == "waiting").write({"state": "running"})
        runs = self.filtered(lambda run: run.state == "running")
        while runs:
            ended = runs.filtered(lambda run: not run.step_id)
            ended._finish()
            for step, group in (runs - ended).grouped("step_id").items():
                group._execute(step)
            runs = runs.filtered(lambda run: run.state == "running")

    def _skip_no_longer_matching(self):
        for scenario, runs in self.grouped("scenario_id").items():
            if not (scenario.recheck_condition and scenario.condition_segment_id):
                continue
            matching = self._matching_partner_ids(
                scenario.condition_segment_id, runs.partner_id.ids
            )
            leaving = runs.filtered(
                lambda run, matching=matching: run.partner_id.id not in matching
            )
            leaving.write({"state": "skipped", "date_done": fields.Datetime.now()})
            leaving._log(
                False,
                self.env._(
                    "Stopped: the subscriber no longer matches %s.",
                    scenario.condition_segment_id.name,
                ),
            )

    @api.model
    def _matching_partner_ids(self, segment, partner_ids):
        """Those of ``partner_ids`` matching ``segment`` now (one query; its
        exclusions evaluated now too, not through their last refresh)."""
        return segment._filter_partner_ids(partner_ids, live=True)

    def _execute(self, step):
        """Execute ``step`` for these runs; a failing subscriber fails alone."""
        handler = getattr(self, f"_execute_{step.action_type}")
        try:
            with self.env.cr.savepoint():
                handler(step)
        except (UserError, ValidationError, AccessError) as error:
            if len(self) > 1:
                # find who fails: the others go on
                for run in self:
                    run._execute(step)
                return
            self._fail(step, str(error.args[0]))

    def _fail(self, step, message):
        """These runs stop at ``step``, failed, with ``message`` in their log."""
        self.write({"state": "failed", "date_done": fields.Datetime.now()})
        self._log(step, message, level="error")

    def _goto(self, step):
        """Continue with ``step``; no step: the run is done."""
        if step:
            self.write({"step_id": step.id})
        else:
            self._finish()

    def _finish(self):
        self.write(
            {"state": "done", "step_id": False, "date_done": fields.Datetime.now()}
        )

    def _log(self, step, message, level="info"):
        """Journal ``message`` (one text, or a dict run id -> text) for the runs."""
        self.env["telecom.scenario.run.log"].sudo().create(
            [
                {
                    "run_id": run.id,
                    "step_id": step.id if step else False,
                    "action_type": step.action_type if step else False,
                    "level": level,
                    "message": message[run.id]
                    if isinstance(message, dict)
                    else message,
                }
                for run in self
            ]
        )

    def _add_to_timeline(self, summary, direction="internal"):
        """A row per run on its subscriber's timeline, linked to the run."""
        # sudo: the engine writes the timeline of every zone
        self.env["telecom.interaction"].sudo().create(
            [
                {
                    "partner_id": run.partner_id.id,
                    "channel": "system",
                    "direction": direction,
                    "summary": summary,
                    "res_model": self._name,
                    "res_id": run.id,
                    "company_id": run.company_id.id or self.env.company.id,
                }
                for run in self
            ]
        )

    def _on_started(self):
        for scenario, runs in self.grouped("scenario_id").items():
            if runs.event_id:
                messages = {
                    run.id: self.env._(
                        "Started by event %(type)s %(summary)s.",
                        type=run.event_id.event_type,
                        summary=run.event_id.summary or "",
                    )
                    if run.event_id
                    else self.env._("Started.")
                    for run in runs
                }
            else:
                messages = self.env._("Started (%s).", runs[:1].trigger_key)
            runs._log(False, messages)
            runs._add_to_timeline(self.env._("Scenario %s started", scenario.name))

    # ------------------------------------------------------------------
    # steps: one handler per action type, for a group of runs at ``step``
    # ------------------------------------------------------------------
    def _execute_wait(self, step):
        wake_at = fields.Datetime.now() + timedelta(days=step.wait_days)
        self.write(
            {
                "state": "waiting",
                "wake_at": wake_at,
                "step_id": step._get_next_step().id,
            }
        )
        self._log(
            step,
            self.env._("Waits until %s.", fields.Datetime.to_string(wake_at)),
        )

    def _execute_branch(self, step):
        segment = step.branch_segment_id
        matching = self._matching_partner_ids(segment, self.partner_id.ids)
        matched = self.filtered(lambda run: run.partner_id.id in matching)
        matched._log(
            step,
            self.env._(
                "Matches %(segment)s: goes to “%(step)s”.",
                segment=segment.name,
                step=step.branch_step_id.name,
            ),
        )
        matched._goto(step.branch_step_id)
        others = self - matched
        others._log(step, self.env._("Does not match %s.", segment.name))
        others._goto(step._get_next_step())

    def _execute_retention_case(self, step):
        metrics = (
            self.env["telecom.subscriber.metric"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids)])
        )
        metric_of = {metric.partner_id.id: metric for metric in metrics}
        cases = (
            self.env["telecom.retention.case"]
            .sudo()
            .create(
                [
                    {
                        "partner_id": run.partner_id.id,
                        "trigger": "scenario",
                        "scenario_run_id": run.id,
                        "event_id": run.event_id.id,
                        "region_id": run.region_id.id,
                        "company_id": run.company_id.id,
                        "user_id": step.user_id.id,
                        "churn_risk": metric_of[run.partner_id.id].churn_risk
                        if run.partner_id.id in metric_of
                        else 0,
                        "churn_reasons": metric_of[run.partner_id.id].churn_reasons
                        if run.partner_id.id in metric_of
                        else False,
                    }
                    for run in self
                ]
            )
        )
        self._log(step, self.env._("Put on the retention list."))
        self._add_to_timeline(
            self.env._("Scenario %s: put on the retention list", step.scenario_id.name)
        )
        self._goto(step._get_next_step())
        return cases

    def _execute_activity(self, step):
        today = fields.Date.context_today(self)
        model_id = self.env["ir.model"]._get_id("res.partner")
        # one creation per round of distinct subscribers: mail subscribes the
        # assignee to each record once per call
        rounds = defaultdict(list)
        seen = defaultdict(int)
        for run in self:
            rounds[seen[run.partner_id.id]].append(run)
            seen[run.partner_id.id] += 1
        for runs in rounds.values():
            self.env["mail.activity"].sudo().create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": run.partner_id.id,
                        "activity_type_id": step.activity_type_id.id,
                        "user_id": step.user_id.id,
                        "summary": step.scenario_id.name,
                        "note": step.note or False,
                        "date_deadline": today + timedelta(days=step.deadline_days),
                    }
                    for run in runs
                ]
            )
        self._log(step, self.env._("Task assigned to %s.", step.user_id.name))
        self._add_to_timeline(
            self.env._(
                "Scenario %(scenario)s: task for %(user)s",
                scenario=step.scenario_id.name,
                user=step.user_id.name,
            )
        )
        self._goto(step._get_next_step())

    def _execute_apply_offer(self, step):
        """A tariff or option change request per line it applies to, submitted:
        the billing connector's outbox delivers it."""
        product = step._get_product()
        tariff = product if product.telecom_kind == "tariff" else None
        partner_ids = self.partner_id.ids
        eligible = set(partner_ids)
        offer = step.offer_id if not (step.tariff_id or step.option_id) else None
        if offer:
            # applied as the offer: its validity and eligibility hold
            if not offer._is_valid():
                self._fail(
                    step,
                    self.env._("Offer %s is not valid today.", offer.display_name),
                )
                return
            eligible = offer._get_eligible_partner_ids(partner_ids)
            partner_ids = [pid for pid in partner_ids if pid in eligible]
        domain = [
            ("partner_id", "in", partner_ids),
            ("state", "=", "active"),
            ("service_type", "=", product.telecom_service_type),
        ]
        if tariff:
            domain.append(("tariff_id", "!=", tariff.id))
        else:
            domain.append(("option_ids", "not in", product.ids))
        services = self.env["telecom.service"].sudo().search(domain)
        Request = self.env["telecom.request"].sudo()
        requests = Request.create(
            [
                {
                    "partner_id": service.partner_id.id,
                    "service_id": service.id,
                    "channel": step.request_channel,
                    "reason": self.env._("Scenario %s", step.scenario_id.name),
                    **(
                        {
                            "request_type": "tariff_change",
                            "tariff_id": tariff.id,
                            "change_timing": step.change_timing,
                            "remove_incompatible_options": True,
                        }
                        if tariff
                        else {
                            "request_type": "option_change",
                            "option_action": "add",
                            "option_id": product.id,
                            # a discount's option is added for its duration
                            "option_date_end": offer._get_option_date_end()
                            if offer
                            else False,
                        }
                    ),
                }
                for service in services
            ]
        )
        requests.action_submit()
        by_partner = requests.grouped("partner_id")

        def message(run):
            if run.partner_id in by_partner:
                return self.env._(
                    "Requests submitted: %s.",
                    ", ".join(by_partner[run.partner_id].mapped("name")),
                )
            if run.partner_id.id not in eligible:
                return self.env._("Not eligible to offer %s.", offer.name)
            return self.env._("No active line this offer applies to.")

        self._log(step, {run.id: message(run) for run in self})
        self._goto(step._get_next_step())

    def _execute_send_email(self, step):
        self._send_offer(step, "email")

    def _execute_send_sms(self, step):
        self._send_offer(step, "sms")

    def _send_offer(self, step, channel):
        """A response of the offer per eligible subscriber, queued for sending
        through the contact policy (see ``telecom.offer``)."""
        offer = step.offer_id
        if not offer._is_valid():
            # the whole group fails at once (not subscriber by subscriber)
            self._fail(
                step, self.env._("Offer %s is not valid today.", offer.display_name)
            )
            return
        responses = offer._send_to_partners(self.partner_id.ids, channel=channel)
        sent_to = set(responses.partner_id.ids)
        self._log(
            step,
            {
                run.id: self.env._("Offer %s sent.", offer.name)
                if run.partner_id.id in sent_to
                else self.env._("Offer %s not sent (not eligible).", offer.name)
                for run in self
            },
        )
        # the responses write their own rows on the timeline
        self._goto(step._get_next_step())

    def _execute_add_campaign(self, step):
        campaign = step.campaign_id
        if campaign.state != "running":
            # the whole group fails at once (not subscriber by subscriber)
            self._fail(
                step,
                self.env._(
                    "Campaign %s is not running: subscribers cannot be added.",
                    campaign.display_name,
                ),
            )
            return
        responses = campaign._add_partners(self.partner_id.ids)
        added = set(responses.partner_id.ids)
        self._log(
            step,
            {
                run.id: self.env._("Added to campaign %s.", campaign.name)
                if run.partner_id.id in added
                else self.env._(
                    "Not added to campaign %s (already targeted or not eligible).",
                    campaign.name,
                )
                for run in self
            },
        )
        # the responses write their own rows on the timeline
        self._goto(step._get_next_step())
