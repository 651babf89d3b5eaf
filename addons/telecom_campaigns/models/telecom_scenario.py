from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .telecom_segment_condition import SEGMENT_FIELDS

EVENT_CONSUMER_CODE = "telecom_campaigns_scenarios"

# trigger preset -> ((event type, payload filter), ...): the facts of the
# ``telecom.event`` feed that start a run for their subscriber
TRIGGER_EVENTS = {
    "ticket_closed": (("ticket.closed", {}),),
    # every contact with the outcome Complaint, complaint tickets included;
    # claims are requests
    "complaint": (
        ("complaint.registered", {}),
        ("request.submitted", {"request_type": "claim"}),
    ),
    "balance_low": (("billing.balance_low", {}),),
    "contract_ending": (("billing.contract_ending", {}),),
    "promotion_ending": (("billing.promotion_ending", {}),),
    "usage_drop": (("billing.usage_drop", {}),),
    "port_out": (("request.submitted", {"request_type": "port_out"}),),
    "termination": (("request.submitted", {"request_type": "termination"}),),
    "tariff_change": (("request.done", {"request_type": "tariff_change"}),),
    # per incident (its tickets' subscribers) or per affected subscriber
    "incident_resolved": (
        ("incident.resolved", {}),
        ("incident.subscriber_resolved", {}),
    ),
}
TRIGGER_EVENT_LABELS = [
    ("ticket_closed", "Ticket closed"),
    ("complaint", "Complaint (count reached)"),
    ("balance_low", "Balance low"),
    ("contract_ending", "Contract ending"),
    ("promotion_ending", "Promotion ending"),
    ("usage_drop", "Usage drop"),
    ("port_out", "Port-out request"),
    ("termination", "Termination request"),
    ("tariff_change", "Tariff changed"),
    ("incident_resolved", "Mass incident resolved"),
    ("other", "Other event type"),
]
# the threshold each preset suggests: (source, metric or payload key, operator, value)
TRIGGER_DEFAULT_THRESHOLDS = {
    "complaint": ("metric", "complaint_count_30d", ">=", 3.0),
    "contract_ending": ("payload", "days_left", "<=", 30.0),
    "promotion_ending": ("payload", "days_left", "<=", 14.0),
    "usage_drop": ("payload", "drop_percent", ">=", 30.0),
}
THRESHOLD_OPERATORS = [
    (">=", "at least"),
    (">", "greater than"),
    ("<=", "at most"),
    ("<", "less than"),
    ("=", "equals"),
]
_COMPARISONS = {op: SQL(op) for op, _label in THRESHOLD_OPERATORS}  # never user text
INTERVAL_TYPES = [("days", "Days"), ("weeks", "Weeks"), ("months", "Months")]


class TelecomScenario(models.Model):
    """An if-then scenario built without code: trigger, conditions, steps.

    A trigger occurrence (an event of the feed, a scheduled date, an entry into
    a segment) starts one ``telecom.scenario.run`` per subscriber matching the
    conditions; the runs execute the steps in order, wait, branch and journal
    each step. The key (scenario, subscriber, trigger occurrence) is unique in
    the database: however many workers consume the feed or replay it, an
    occurrence starts one run.
    """

    _name = "telecom.scenario"
    _description = "Campaign Scenario"
    _inherit = ["mail.thread"]
    _order = "name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    description = fields.Text()
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        default=lambda self: self.env.company,
        index=True,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("paused", "Paused")],
        required=True,
        default="draft",
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    date_activated = fields.Datetime(
        string="Running Since",
        readonly=True,
        copy=False,
        help="Subscribers entering the trigger segment after this moment start a run.",
    )
    # --- trigger ---
    trigger_type = fields.Selection(
        [
            ("event", "An event happens"),
            ("schedule", "On a schedule"),
            ("segment_entry", "A subscriber enters a segment"),
        ],
        string="Trigger",
        required=True,
        default="event",
        tracking=True,
    )
    trigger_event = fields.Selection(
        TRIGGER_EVENT_LABELS, string="Event", default="ticket_closed", tracking=True
    )
    event_type_code = fields.Char(
        string="Event Types",
        help="Comma-separated business event types (telecom.event), e.g. "
        "billing.payment_received; an entry ending with * is a prefix (billing.*).",
    )
    threshold_source = fields.Selection(
        [
            ("none", "No threshold"),
            ("metric", "A subscriber figure"),
            ("payload", "A figure of the event"),
        ],
        string="Threshold On",
        compute="_compute_threshold",
        store=True,
        readonly=False,
        required=True,
        precompute=True,
    )
    threshold_metric = fields.Selection(
        selection="_selection_threshold_metric",
        string="Subscriber Figure",
        compute="_compute_threshold",
        store=True,
        readonly=False,
        precompute=True,
    )
    threshold_payload_key = fields.Char(
        string="Event Figure",
        compute="_compute_threshold",
        store=True,
        readonly=False,
        precompute=True,
        help="Key of the number in the event's data, e.g. days_left or drop_percent.",
    )
    threshold_operator = fields.Selection(
        THRESHOLD_OPERATORS,
        string="Operator",
        compute="_compute_threshold",
        store=True,
        readonly=False,
        precompute=True,
    )
    threshold_value = fields.Float(
        string="Threshold",
        compute="_compute_threshold",
        store=True,
        readonly=False,
        precompute=True,
    )
    interval_number = fields.Integer(string="Every", default=1)
    interval_type = fields.Selection(INTERVAL_TYPES, string="Unit", default="weeks")
    next_schedule_date = fields.Datetime(
        string="Next Run",
        copy=False,
        help="When the scheduled scenario starts its next runs.",
    )
    trigger_segment_id = fields.Many2one(
        "telecom.segment",
        help="A subscriber entering this segment (at a refresh of its members) "
        "starts a run.",
    )
    # --- conditions ---
    condition_segment_id = fields.Many2one(
        "telecom.segment",
        string="Only Subscribers Matching",
        help="The segment's conditions, evaluated when the trigger fires. Empty: "
        "every subscriber.",
    )
    recheck_condition = fields.Boolean(
        string="Stop When No Longer Matching",
        default=True,
        help="A run resuming after a wait is skipped when its subscriber no longer "
        "matches the conditions.",
    )
    # --- steps and runs ---
    step_ids = fields.One2many(
        "telecom.scenario.step", "scenario_id", string="Steps", copy=True
    )
    run_ids = fields.One2many("telecom.scenario.run", "scenario_id", string="Runs")
    run_count = fields.Integer(compute="_compute_run_count")

    @api.model
    def _selection_threshold_metric(self):
        """The number figures of the metrics the segments offer, those other
        addons add included, with the conditions' (translated) labels."""
        labels = dict(
            self.env["telecom.segment.condition"]
            ._fields["field_name"]
            ._description_selection(self.env)
        )
        return [
            (key, labels.get(key, spec[0]))
            for key, spec in SEGMENT_FIELDS.items()
            if spec[1] == "number" and spec[2] == "m"
        ]

    @api.depends("trigger_type", "trigger_event")
    def _compute_threshold(self):
        for scenario in self:
            source, key, operator, value = TRIGGER_DEFAULT_THRESHOLDS.get(
                scenario.trigger_type == "event" and scenario.trigger_event,
                ("none", False, ">=", 0.0),
            )
            scenario.threshold_source = source
            scenario.threshold_metric = key if source == "metric" else False
            scenario.threshold_payload_key = key if source == "payload" else False
            scenario.threshold_operator = operator
            scenario.threshold_value = value

    def _compute_run_count(self):
        counts = dict(
            self.env["telecom.scenario.run"]._read_group(
                [("scenario_id", "in", self.ids)], ["scenario_id"], ["__count"]
            )
        )
        for scenario in self:
            scenario.run_count = counts.get(scenario, 0)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_activate(self):
        for scenario in self:
            if scenario.state != "draft":
                raise UserError(self.env._("Only draft scenarios can be activated."))
            scenario._check_ready()
        now = fields.Datetime.now()
        for scenario in self:
            scenario.write(
                {
                    "state": "running",
                    "date_activated": now,
                    "next_schedule_date": scenario.next_schedule_date or now,
                }
            )
        return True

    def action_pause(self):
        if any(scenario.state != "running" for scenario in self):
            raise UserError(self.env._("Only running scenarios can be paused."))
        self.write({"state": "paused"})
        return True

    def action_resume(self):
        if any(scenario.state != "paused" for scenario in self):
            raise UserError(self.env._("Only paused scenarios can be resumed."))
        for scenario in self:
            scenario._check_ready()
        self.write({"state": "running"})
        return True

    def action_reset_draft(self):
        if any(scenario.state != "paused" for scenario in self):
            raise UserError(
                self.env._("Pause the scenario before setting it back to draft.")
            )
        self.write({"state": "draft"})
        return True

    def action_view_runs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_scenario_run_action"
        )
        action["domain"] = [("scenario_id", "=", self.id)]
        action["context"] = {"default_scenario_id": self.id}
        return action

    # ------------------------------------------------------------------
    # validation
    # ------------------------------------------------------------------
    def _check_ready(self):
        """Raise a UserError saying what keeps the scenario from running."""
        self.ensure_one()
        if not self.step_ids:
            raise UserError(self.env._("Scenario %s has no step.", self.name))
        if self.trigger_type == "event":
            if not self.trigger_event:
                raise UserError(
                    self.env._("Choose the event that triggers %s.", self.name)
                )
            if self.trigger_event == "other" and not self._get_event_types()[0]:
                raise UserError(
                    self.env._("Type the event types that trigger %s.", self.name)
                )
        elif self.trigger_type == "schedule":
            if self.interval_number < 1 or not self.interval_type:
                raise UserError(self.env._("Set how often %s runs.", self.name))
            if not self.condition_segment_id:
                raise UserError(
                    self.env._(
                        "A scheduled scenario runs for the subscribers of a segment: "
                        "choose it under Only Subscribers Matching (%s).",
                        self.name,
                    )
                )
        elif not self.trigger_segment_id:
            raise UserError(
                self.env._("Choose the segment that triggers %s.", self.name)
            )
        if self.threshold_source == "metric" and not self.threshold_metric:
            raise UserError(
                self.env._("Choose the subscriber figure of the threshold.")
            )
        if self.threshold_source == "payload":
            if not self.threshold_payload_key:
                raise UserError(self.env._("Type the event figure of the threshold."))
            if self.trigger_type != "event":
                raise UserError(
                    self.env._("A threshold on an event figure needs an event trigger.")
                )
        self.step_ids._check_ready()

    # ------------------------------------------------------------------
    # starting runs
    # ------------------------------------------------------------------
    def _get_event_types(self):
        """(exact event types, LIKE patterns) of the "other" trigger."""
        self.ensure_one()
        consumer = self.env["telecom.event.consumer"].new(
            {"event_type_filter": self.event_type_code or ""}
        )
        return consumer._parse_event_type_filter()

    def _get_event_match_sql(self):
        """Predicate on the event ``e`` of this scenario's event trigger."""
        self.ensure_one()
        if self.trigger_event == "other":
            types, patterns = self._get_event_types()
            return SQL(
                "(e.event_type = ANY(%s) OR e.event_type LIKE ANY(%s))",
                types,
                patterns,
            )
        alternatives = []
        for event_type, payload_filter in TRIGGER_EVENTS[self.trigger_event]:
            match = [SQL("e.event_type = %s", event_type)]
            match += [
                SQL("e.payload ->> %s = %s", key, value)
                for key, value in payload_filter.items()
            ]
            alternatives.append(SQL("(%s)", SQL(" AND ").join(match)))
        return SQL("(%s)", SQL(" OR ").join(alternatives))

    def _get_threshold_sql(self):
        """Predicate of the threshold over the metrics ``m`` and the event ``e``."""
        self.ensure_one()
        operator = _COMPARISONS[self.threshold_operator or ">="]
        if self.threshold_source == "metric" and self.threshold_metric:
            column = SQL.identifier("m", SEGMENT_FIELDS[self.threshold_metric][3])
            return SQL(
                "COALESCE(%s %s %s, FALSE)", column, operator, self.threshold_value
            )
        if self.threshold_source == "payload" and self.threshold_payload_key:
            key = self.threshold_payload_key.strip()
            # a missing or non-numeric figure never matches
            return SQL(
                """COALESCE(CASE WHEN jsonb_typeof(e.payload -> %s) = 'number'
                                 THEN (e.payload ->> %s)::numeric END %s %s, FALSE)""",
                key,
                key,
                operator,
                self.threshold_value,
            )
        return SQL("TRUE")

    def _get_partner_query(self):
        """Subscribers matching the conditions, all zones: ``res_partner`` and
        its metrics row ``m`` (the aliases of the segment queries)."""
        self.ensure_one()
        segment = self.condition_segment_id
        # all zones: a trigger fires for the subscribers of every zone; who sees
        # the runs is the runs' zone rules. Exclusions are evaluated now too.
        query = self.env["telecom.segment.condition"]._get_subscriber_query(
            segment._get_predicate(live=True) if segment else SQL("TRUE"),
            all_zones=True,
        )
        if self.threshold_source == "metric":
            query.add_where(self._get_threshold_sql())
        return query

    @api.model
    def _event_partner_sql(self, event_ids):
        """(event_id, partner_id) pairs of ``event_ids``: the event's subscriber,
        or for a mass incident the subscribers of its tickets."""
        pairs = [
            SQL(
                """SELECT e.id AS event_id, e.partner_id AS partner_id
                     FROM telecom_event e
                    WHERE e.id = ANY(%s) AND e.partner_id IS NOT NULL""",
                event_ids,
            )
        ]
        Ticket = self.env.get("helpdesk.ticket")
        if Ticket is not None and "incident_id" in Ticket._fields:
            Ticket.flush_model(["incident_id", "partner_id"])
            pairs.append(
                SQL(
                    """SELECT DISTINCT e.id, contact.commercial_partner_id
                         FROM telecom_event e
                         JOIN helpdesk_ticket ticket ON ticket.incident_id = e.res_id
                         JOIN res_partner contact ON contact.id = ticket.partner_id
                        WHERE e.id = ANY(%s) AND e.partner_id IS NULL
                          AND e.res_model = 'telecom.incident'""",
                    event_ids,
                )
            )
        return SQL("(%s)", SQL(" UNION ").join(pairs))

    @api.model
    def _start_runs_from_events(self, events):
        """Start the runs of ``events`` for every running event scenario: one
        INSERT ... ON CONFLICT DO NOTHING per scenario."""
        # sudo: the feed's consumer starts the runs of every zone, whoever runs it
        scenarios = self.sudo().search(
            [("state", "=", "running"), ("trigger_type", "=", "event")]
        )
        if not scenarios or not events:
            return self.env["telecom.scenario.run"]
        pairs = self._event_partner_sql(events.ids)
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT p.partner_id FROM %s AS p(event_id, partner_id)", pairs
            )
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        # conditions and thresholds read the figures as they are now
        self.env["telecom.subscriber.metric"].sudo()._refresh(partner_ids)
        runs = self.env["telecom.scenario.run"]
        for scenario in scenarios:
            if scenario.threshold_source == "metric":
                runs |= scenario._start_crossing_runs(pairs)
                continue
            query = scenario._get_partner_query()
            query.add_join(
                "JOIN",
                "pair",
                SQL("%s", pairs),
                SQL("pair.partner_id = res_partner.id"),
            )
            query.add_join("JOIN", "e", "telecom_event", SQL("e.id = pair.event_id"))
            query.add_where(scenario._get_event_match_sql())
            # facts older than the activation (a lagging feed) start nothing
            query.add_where(SQL("e.date >= %s", scenario.date_activated))
            if scenario.threshold_source == "payload":
                query.add_where(scenario._get_threshold_sql())
            runs |= scenario._insert_runs(
                query.select(
                    SQL("res_partner.id"),
                    # one occurrence per incident, whichever event tells it
                    SQL(
                        """CASE WHEN e.res_model = 'telecom.incident'
                                THEN 'incident:' || e.res_id
                                ELSE 'event:' || e.id END"""
                    ),
                    SQL("e.id"),
                )
            )
        return runs

    def _start_crossing_runs(self, pairs):
        """Runs of the subscribers whose trigger events of ``pairs`` find the
        threshold on their figure crossed (see ``telecom.scenario.threshold``):
        one run per crossing, keyed ``crossing:<number>``, linked to the
        subscriber's first trigger event of the batch."""
        self.ensure_one()
        self.env.cr.execute(
            SQL(
                """SELECT pair.partner_id, min(e.id)
                     FROM %s AS pair(event_id, partner_id)
                     JOIN telecom_event e ON e.id = pair.event_id
                    WHERE %s AND e.date >= %s
                    GROUP BY pair.partner_id""",
                pairs,
                self._get_event_match_sql(),
                self.date_activated,
            )
        )
        first_event = dict(self.env.cr.fetchall())
        crossed = self.env["telecom.scenario.threshold"]._cross(self, list(first_event))
        if not crossed:
            return self.env["telecom.scenario.run"]
        partner_ids = list(crossed)
        query = self._get_partner_query()
        query.add_join(
            "JOIN",
            "crossing",
            SQL(
                """(SELECT * FROM unnest(%s::integer[], %s::integer[], %s::integer[])
                      AS c(partner_id, number, event_id))""",
                partner_ids,
                [crossed[pid] for pid in partner_ids],
                [first_event[pid] for pid in partner_ids],
            ),
            SQL("crossing.partner_id = res_partner.id"),
        )
        return self._insert_runs(
            query.select(
                SQL("res_partner.id"),
                SQL("'crossing:' || crossing.number"),
                SQL("crossing.event_id"),
            )
        )

    def _start_runs_for_partners(self, partner_ids, trigger_key, event_id=None):
        """Start a run for each of ``partner_ids`` matching the conditions, keyed
        by ``trigger_key`` (a second call with the same key starts nothing)."""
        self.ensure_one()
        query = self._get_partner_query()
        query.add_where(SQL("res_partner.id = ANY(%s)", list(partner_ids)))
        return self._insert_runs(
            query.select(
                SQL("res_partner.id"),
                SQL("%s", trigger_key),
                SQL("%s::integer", event_id),
            )
        )

    @api.model
    def _flush_condition_sources(self):
        """The conditions read these tables in SQL: write what the ORM holds."""
        self.env["telecom.segment.condition"]._flush_for_compile()
        for model in (
            "telecom.segment.member",
            "telecom.event",
            "telecom.scenario.run",
        ):
            self.env[model].flush_model()
        self.env["res.partner"].flush_model(["company_id"])

    def _insert_runs(self, source):
        """Insert the runs of ``source`` (rows: partner, trigger key, event) that
        do not exist yet; the unique index decides between concurrent workers."""
        self.ensure_one()
        Run = self.env["telecom.scenario.run"]
        self._flush_condition_sources()
        first_step = self.step_ids.sorted()[:1]
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """INSERT INTO telecom_scenario_run (
                       scenario_id, partner_id, trigger_key, event_id, state, step_id,
                       wake_at, region_id, company_id, date_start, replay_count,
                       create_uid, create_date, write_uid, write_date)
                   SELECT DISTINCT ON (src.partner_id, src.trigger_key)
                          %(scenario)s, src.partner_id, src.trigger_key, src.event_id,
                          'running', %(step)s, %(now)s, partner.telecom_region_id,
                          COALESCE(partner.company_id, %(company)s), %(now)s, 0,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM (%(source)s) AS src(partner_id, trigger_key, event_id)
                     JOIN res_partner partner ON partner.id = src.partner_id
                   ON CONFLICT (scenario_id, partner_id, trigger_key) DO NOTHING
                   RETURNING id""",
                scenario=self.id,
                step=first_step.id or None,
                now=now,
                company=self.company_id.id or self.env.company.id,
                uid=self.env.uid,
                source=source,
            )
        )
        runs = Run.sudo().browse(row[0] for row in self.env.cr.fetchall())
        runs._on_started()
        return runs

    # ------------------------------------------------------------------
    # crons
    # ------------------------------------------------------------------
    @api.model
    def _cron_consume_events(self, limit=500):
        """Start the runs of one batch of events; run again while some remain."""
        consumer = self.env["telecom.event.consumer"]._get_consumer(EVENT_CONSUMER_CODE)
        events = consumer._consume(self._start_runs_from_events, limit=limit)
        self.env["ir.cron"]._notify_progress(
            done=len(events), remaining=1 if len(events) == limit else 0
        )
        return events

    @api.model
    def _cron_trigger_scheduled(self):
        """Start the runs of the scheduled scenarios that are due and of the
        subscribers who entered a trigger segment."""
        now = fields.Datetime.now()
        self._rearm_thresholds()
        # sudo: the scheduler starts the runs of every zone
        scenarios = self.sudo().search(
            [
                ("state", "=", "running"),
                "|",
                "&",
                ("trigger_type", "=", "schedule"),
                ("next_schedule_date", "<=", now),
                ("trigger_type", "=", "segment_entry"),
            ]
        )
        runs = self.env["telecom.scenario.run"]
        for done, scenario in enumerate(scenarios, start=1):
            if scenario.trigger_type == "schedule":
                runs |= scenario._start_scheduled_runs(now)
            else:
                runs |= scenario._start_segment_entry_runs()
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(scenarios) - done
            )
        return runs

    @api.model
    def _rearm_thresholds(self):
        """The subscribers whose figure fell below the threshold of a running
        scenario without a trigger event (time passing, the metrics' daily
        refresh) may cross it again."""
        # sudo: the scheduler checks the subscribers of every zone
        scenarios = self.sudo().search(
            [
                ("state", "=", "running"),
                ("trigger_type", "=", "event"),
                ("threshold_source", "=", "metric"),
            ]
        )
        self.env["telecom.scenario.threshold"].sudo()._rearm(scenarios)

    def _start_scheduled_runs(self, now):
        self.ensure_one()
        occurrence = self.next_schedule_date or now
        key = f"schedule:{fields.Datetime.to_string(occurrence)}"
        query = self._get_partner_query()
        runs = self._insert_runs(
            query.select(SQL("res_partner.id"), SQL("%s", key), SQL("NULL::integer"))
        )
        step = relativedelta(**{self.interval_type: self.interval_number})
        following = occurrence + step
        while following <= now:
            following += step
        self.next_schedule_date = following
        return runs

    def _start_segment_entry_runs(self):
        """Runs of the live members who entered the trigger segment after the
        activation; a new entry (after leaving) is a new occurrence."""
        self.ensure_one()
        self.env["telecom.segment.member"].flush_model()
        query = self._get_partner_query()
        query.add_join(
            "JOIN",
            "member",
            "telecom_segment_member",
            SQL(
                """member.partner_id = res_partner.id AND member.segment_id = %s
                   AND member.snapshot_id IS NULL AND member.date_entered >= %s""",
                self.trigger_segment_id.id,
                self.date_activated,
            ),
        )
        return self._insert_runs(
            query.select(
                SQL("res_partner.id"),
                SQL(
                    "'segment:' || member.segment_id || ':' || "
                    "to_char(member.date_entered, 'YYYY-MM-DD HH24:MI:SS')"
                ),
                SQL("NULL::integer"),
            )
        )
