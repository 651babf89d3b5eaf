from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools.ab_statistics import MIN_EVENTS_PER_GROUP, MIN_SAMPLE_PER_GROUP
from ..tools.campaign_results import campaign_winner, group_statistics
from ..tools.campaign_xlsx import build_results_workbook

CAMPAIGN_KINDS = [
    ("retention", "Retention"),
    ("win_back", "Win-Back"),
    ("cross_sell", "Cross-Sell"),
    ("up_sell", "Up-Sell"),
]
CAMPAIGN_STATES = [
    ("draft", "Draft"),
    ("scheduled", "Scheduled"),
    ("running", "Running"),
    ("done", "Done"),
]


class TelecomCampaign(models.Model):
    """An offer (or one per A/B variant) sent to a segment on a schedule.

    The launch freezes the target segment in a snapshot, leaves out the members
    of the exclusion segments and the subscribers not eligible for every offer
    of the campaign, splits the rest between the variants and the holdout
    (:mod:`..tools.ab_assignment`) and writes one response per subscriber, all
    set-based. Results per group come from :meth:`_get_results`.
    """

    _name = "telecom.campaign"
    _description = "Marketing Campaign"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        default=lambda self: self.env.company,
        index=True,
    )
    kind = fields.Selection(
        CAMPAIGN_KINDS, required=True, default="retention", tracking=True
    )
    state = fields.Selection(
        CAMPAIGN_STATES,
        string="Status",
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    segment_id = fields.Many2one(
        "telecom.segment",
        string="Target Segment",
        required=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    exclude_segment_ids = fields.Many2many(
        "telecom.segment",
        "telecom_campaign_exclusion_rel",
        "campaign_id",
        "segment_id",
        string="Exclude Members Of",
        check_company=True,
    )
    offer_id = fields.Many2one(
        "telecom.offer",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="The offer of every targeted subscriber, unless an A/B test gives "
        "one offer per variant.",
    )
    ab_test_id = fields.Many2one(
        "telecom.ab.test",
        string="A/B Test",
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="Splits the target between its variants (each with its offer) and "
        "a holdout control group that gets nothing.",
    )
    channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS"), ("call", "Call by an Agent")],
        required=True,
        default="sms",
        tracking=True,
    )
    date_start = fields.Datetime(string="Start", tracking=True)
    date_end = fields.Datetime(string="End", tracking=True)
    launch_date = fields.Datetime(readonly=True, copy=False)
    arpu_window_months = fields.Integer(
        string="ARPU Window (months)",
        default=3,
        required=True,
        tracking=True,
        help="The ARPU change of a subscriber is their mean monthly charges over "
        "this many billed months after the launch month minus over as many "
        "months before it. No winner on ARPU is named before the months after "
        "are all over and billed.",
    )
    snapshot_id = fields.Many2one(
        "telecom.segment.snapshot",
        string="Frozen Target",
        readonly=True,
        copy=False,
        ondelete="restrict",
    )
    response_ids = fields.One2many("telecom.offer.response", "campaign_id")
    targeted_count = fields.Integer(compute="_compute_counts")
    accepted_count = fields.Integer(compute="_compute_counts")
    results_html = fields.Html(
        string="Results", compute="_compute_results_html", sanitize=False
    )

    def _compute_counts(self):
        groups = self.env["telecom.offer.response"]._read_group(
            [("campaign_id", "in", self.ids)], ["campaign_id", "state"], ["__count"]
        )
        targeted, accepted = {}, {}
        for campaign, state, count in groups:
            targeted[campaign] = targeted.get(campaign, 0) + count
            if state == "accepted":
                accepted[campaign] = count
        for campaign in self:
            campaign.targeted_count = targeted.get(campaign, 0)
            campaign.accepted_count = accepted.get(campaign, 0)

    @api.depends("state")
    def _compute_results_html(self):
        for campaign in self:
            campaign.results_html = (
                campaign._render_results_html() if campaign.launch_date else False
            )

    @api.constrains("offer_id", "ab_test_id")
    def _check_offers(self):
        for campaign in self:
            if campaign.ab_test_id:
                if any(
                    not variant.offer_id for variant in campaign.ab_test_id.variant_ids
                ):
                    raise ValidationError(
                        self.env._("Give an offer to each variant of the A/B test.")
                    )
            elif not campaign.offer_id:
                raise ValidationError(
                    self.env._("Choose the offer or an A/B test with offers.")
                )

    @api.constrains("arpu_window_months")
    def _check_arpu_window_months(self):
        if any(not 1 <= campaign.arpu_window_months <= 24 for campaign in self):
            raise ValidationError(
                self.env._("The ARPU window must be between 1 and 24 months.")
            )

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for campaign in self:
            if (
                campaign.date_start
                and campaign.date_end
                and campaign.date_start > campaign.date_end
            ):
                raise ValidationError(
                    self.env._("The campaign cannot end before it starts.")
                )

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_schedule(self):
        for campaign in self:
            if campaign.state != "draft":
                raise UserError(self.env._("Only draft campaigns can be scheduled."))
            if not campaign.date_start:
                raise UserError(self.env._("Set the start of the campaign."))
        self.write({"state": "scheduled"})
        return True

    def action_reset_draft(self):
        if any(campaign.state != "scheduled" for campaign in self):
            raise UserError(self.env._("Only scheduled campaigns go back to draft."))
        self.write({"state": "draft"})
        return True

    def action_launch(self):
        self.check_access("write")
        for campaign in self:
            campaign._launch()
        return True

    def action_done(self):
        if any(campaign.state != "running" for campaign in self):
            raise UserError(self.env._("Only running campaigns can be closed."))
        self.write({"state": "done", "date_end": fields.Datetime.now()})
        return True

    def action_view_responses(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_offer_response_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        action["context"] = {"search_default_group_state": 1}
        return action

    def action_view_funnel(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_campaign_report_funnel_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        return action

    def action_view_uplift(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_campaigns.telecom_campaign_report_action"
        )
        action["domain"] = [("campaign_id", "=", self.id)]
        return action

    def action_export_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/telecom_campaigns/campaign/{self.id}/results.xlsx",
            "target": "self",
        }

    # ------------------------------------------------------------------
    # launch
    # ------------------------------------------------------------------
    def _get_offers(self):
        self.ensure_one()
        if self.ab_test_id:
            return self.ab_test_id.variant_ids.offer_id
        return self.offer_id

    def _launch(self):
        """Freeze the target and write the responses: once per campaign."""
        self.ensure_one()
        # the row lock makes a second launch in parallel wait, then refuse
        self.env.cr.execute(
            SQL("SELECT id FROM telecom_campaign WHERE id = %s FOR UPDATE", self.id)
        )
        self.invalidate_recordset(["state", "snapshot_id"])
        if self.state not in ("draft", "scheduled") or self.snapshot_id:
            raise UserError(
                self.env._("Campaign %s was already launched.", self.display_name)
            )
        self._check_offers()
        offers = self._get_offers()
        for offer in offers:
            if not offer._is_valid():
                raise UserError(
                    self.env._(
                        "Offer %s is not valid today: the campaign cannot start.",
                        offer.display_name,
                    )
                )
        snapshot = self.segment_id._freeze_snapshot(
            self.env._("Campaign %s", self.name)
        )
        partner_ids = self._get_target_partner_ids(snapshot)
        responses = self._create_responses(partner_ids)
        self.write(
            {
                "state": "running",
                "snapshot_id": snapshot.id,
                "launch_date": fields.Datetime.now(),
            }
        )
        self.message_post(
            body=self.env._(
                "Launched: %(count)s subscribers targeted out of %(members)s in "
                "the segment.",
                count=len(responses),
                members=snapshot.member_count,
            )
        )
        # sudo: the launch sends the offers of every zone of the target,
        # whichever zones the marketer who launched it sees
        responses.sudo()._queue_sending()
        return responses

    def _get_target_partner_ids(self, snapshot):
        """Snapshot members minus exclusions minus the ineligible, sorted."""
        self.ensure_one()
        excluded = self.exclude_segment_ids
        if excluded:
            excluded._refresh_members()
        self.env.cr.execute(
            SQL(
                """SELECT member.partner_id FROM telecom_segment_member member
                    WHERE member.snapshot_id = %(snapshot)s
                      AND NOT EXISTS (
                          SELECT 1 FROM telecom_segment_member other
                           WHERE other.segment_id = ANY(%(excluded)s)
                             AND other.snapshot_id IS NULL
                             AND other.partner_id = member.partner_id)
                    ORDER BY member.partner_id""",
                snapshot=snapshot.id,
                excluded=excluded.ids,
            )
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        for offer in self._get_offers():
            if offer.eligibility_segment_id:
                eligible = offer._get_eligible_partner_ids(partner_ids)
                partner_ids = [pid for pid in partner_ids if pid in eligible]
        return partner_ids

    def _create_responses(self, partner_ids):
        """One response per subscriber: its variant's offer, or control."""
        self.ensure_one()
        if self.ab_test_id:
            groups = self.ab_test_id._assign(partner_ids)
            reference_offer = self.ab_test_id.variant_ids.sorted(
                lambda variant: (variant.sequence, variant.id)
            )[:1].offer_id
            rows = [
                (
                    pid,
                    variant.id if variant else None,
                    variant.offer_id.id if variant else reference_offer.id,
                    "queued" if variant else "control",
                )
                for pid, variant in groups.items()
            ]
        else:
            rows = [(pid, None, self.offer_id.id, "queued") for pid in partner_ids]
        return self.env["telecom.offer.response"]._insert_rows(rows, campaign=self)

    def _add_partners(self, partner_ids):
        """ "Add to campaign": target more subscribers of a running campaign
        (scenarios). Those already targeted and the ineligible are skipped."""
        self.ensure_one()
        if self.state != "running":
            raise UserError(
                self.env._("Subscribers can only be added to a running campaign.")
            )
        known = set(
            self.env["telecom.offer.response"]
            .sudo()  # already targeted in any zone: never twice
            .search([("campaign_id", "=", self.id)])
            .partner_id.ids
        )
        partner_ids = sorted(set(partner_ids) - known)
        for offer in self._get_offers():
            if not offer._is_valid():
                return self.env["telecom.offer.response"]
            if offer.eligibility_segment_id:
                eligible = offer._get_eligible_partner_ids(partner_ids)
                partner_ids = [pid for pid in partner_ids if pid in eligible]
        responses = self._create_responses(partner_ids)
        # sudo: like the launch, whatever zones the caller sees
        responses.sudo()._queue_sending()
        return responses

    @api.model
    def _cron_launch_scheduled(self):
        """Launch the scheduled campaigns whose start has come, one by one."""
        campaigns = self.search(
            [("state", "=", "scheduled"), ("date_start", "<=", fields.Datetime.now())]
        )
        for done, campaign in enumerate(campaigns, start=1):
            try:
                with self.env.cr.savepoint():
                    campaign._launch()
            except UserError as error:
                # back to draft: the marketer fixes it and schedules it again
                campaign.write({"state": "draft"})
                campaign.message_post(
                    body=self.env._("The scheduled launch failed: %s", str(error))
                )
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(campaigns) - done
            )

    # ------------------------------------------------------------------
    # results
    # ------------------------------------------------------------------
    def _get_group_sums(self):
        """Sums per group of the campaign: ``[dict]``, variants first, control last.

        Over every zone: the figures of a campaign are aggregates, one fact for
        everybody who may read the campaign. The ARPU figures come from billing's
        monthly rows (:meth:`_get_arpu_sums`).
        """
        self.ensure_one()
        Report = self.env["telecom.campaign.report"]
        # the report reads responses, requests, services, their history, metrics
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT variant_id, group_kind = 'control', count(*), sum(sent),
                          sum(delivered), sum(accepted), sum(completed), sum(churned)
                     FROM (%s) AS report
                    WHERE campaign_id = %s
                    GROUP BY variant_id, group_kind""",
                Report._table_query,
                self.id,
            )
        )
        rows = self.env.cr.fetchall()
        arpu_sums, window = self._get_arpu_sums()
        variants = self.ab_test_id.variant_ids.sorted(
            lambda variant: (variant.sequence, variant.id)
        )
        order = {variant.id: index for index, variant in enumerate(variants)}
        groups = []
        for row in rows:
            variant = self.env["telecom.ab.variant"].browse(row[0])
            arpu_n, arpu_mean, arpu_var = arpu_sums.get((row[0], row[1]), (0, 0, 0))
            groups.append(
                {
                    "variant": variant,
                    "is_control": row[1],
                    "targeted": row[2],
                    "sent": row[3] or 0,
                    "delivered": row[4] or 0,
                    "accepted": row[5] or 0,
                    "completed": row[6] or 0,
                    "churned": row[7] or 0,
                    "arpu_n": arpu_n,
                    "arpu_excluded": row[2] - arpu_n,
                    "arpu_mean": arpu_mean,
                    "arpu_var": arpu_var,
                    "arpu_window_complete": window["complete"],
                }
            )
        groups.sort(key=lambda g: (g["is_control"], order.get(g["variant"].id, -1)))
        return groups

    def _get_arpu_window(self):
        """The billing months compared: ``dict`` with ``before_start`` (first
        month before), ``launch_month`` (left out: partly before, partly after),
        ``after_start``, ``after_end`` (first month not read: the end of the
        window or the current month, whichever comes first: only months that are
        over count), ``last_month`` (last month of the full window) and
        ``ended`` (every month of the window is over)."""
        self.ensure_one()
        launch_month = self.launch_date.date().replace(day=1)
        months = self.arpu_window_months
        current_month = fields.Date.context_today(self).replace(day=1)
        full_end = launch_month + relativedelta(months=months + 1)
        return {
            "before_start": launch_month - relativedelta(months=months),
            "launch_month": launch_month,
            "after_start": launch_month + relativedelta(months=1),
            "after_end": min(full_end, current_month),
            "last_month": full_end - relativedelta(months=1),
            "ended": full_end <= current_month,
        }

    @api.model
    def _arpu_change_query(self, where):
        """Per campaign response matching ``where`` (on ``r``, the response):
        ``response_id, campaign_id, variant_id, is_control, arpu_change,
        last_billed``, grouped in one statement (see :meth:`_get_arpu_sums`;
        the window is :meth:`_get_arpu_window`'s, in SQL)."""
        self.env["telecom.offer.response"].flush_model()
        self.env["telecom.usage.monthly"].flush_model()
        self.flush_model(["launch_date", "arpu_window_months"])
        launch = SQL("date_trunc('month', c.launch_date)")
        after = SQL("u.month >= (%s + interval '1 month')::date", launch)
        before = SQL("u.month < %s::date", launch)
        return SQL(
            """SELECT r.id AS response_id, r.campaign_id, r.variant_id,
                      r.state = 'control' AS is_control,
                      sum(u.charged_amount) FILTER (WHERE %(after)s)
                      / NULLIF(count(DISTINCT u.month) FILTER (WHERE %(after)s), 0)
                      - sum(u.charged_amount) FILTER (WHERE %(before)s)
                      / NULLIF(count(DISTINCT u.month) FILTER (WHERE %(before)s), 0)
                          AS arpu_change,
                      max(u.month) AS last_billed
                 FROM telecom_offer_response r
                 JOIN telecom_campaign c ON c.id = r.campaign_id
            LEFT JOIN telecom_usage_monthly u
                   ON u.partner_id = r.partner_id
                  AND u.charged_amount IS NOT NULL
                  AND u.month >= (%(launch)s
                      - make_interval(months => c.arpu_window_months))::date
                  AND u.month < LEAST(
                      (%(launch)s
                       + make_interval(months => c.arpu_window_months + 1))::date,
                      %(current_month)s)
                  AND u.month <> %(launch)s::date
                WHERE c.launch_date IS NOT NULL AND %(where)s
                GROUP BY r.id, r.campaign_id""",
            after=after,
            before=before,
            launch=launch,
            current_month=fields.Date.context_today(self).replace(day=1),
            where=where,
        )

    def _get_arpu_sums(self):
        """ARPU change per group from ``telecom.usage.monthly``, in one statement.

        Per targeted subscriber: mean monthly charges (all their lines summed per
        month) over the billed months after the launch month minus over the
        billed months before it, within :meth:`_get_arpu_window`; a subscriber
        without billed months on both sides has no figure. Then count, mean and
        sample variance per group. Returns ``({(variant_id, is_control): (n,
        mean, variance)}, window)``; ``window["complete"]`` tells whether the
        months after are all over and billing delivered the last one.
        """
        self.ensure_one()
        window = self._get_arpu_window()
        self.env.cr.execute(
            SQL(
                """SELECT variant_id, is_control, count(arpu_change),
                          avg(arpu_change), var_samp(arpu_change), max(last_billed)
                     FROM (%s) AS member
                    GROUP BY variant_id, is_control""",
                self._arpu_change_query(SQL("r.campaign_id = %s", self.id)),
            )
        )
        sums, last_billed = {}, None
        for variant_id, is_control, count, mean, var, last in self.env.cr.fetchall():
            sums[(variant_id, is_control)] = (
                count,
                float(mean or 0.0),
                float(var or 0.0),
            )
            if last and (not last_billed or last > last_billed):
                last_billed = last
        window["complete"] = bool(
            window["ended"] and last_billed and last_billed >= window["last_month"]
        )
        return sums, window

    def _get_results(self):
        """Statistics per group (see :func:`..tools.campaign_results.group_statistics`)
        with translated names and verdicts, and the campaign's verdict."""
        self.ensure_one()
        groups = self._get_group_sums()
        control = next((g for g in groups if g["is_control"]), None)
        variants = [g for g in groups if not g["is_control"]]
        reference = variants[0] if len(variants) > 1 else None
        results = []
        for group in variants:
            stats = group_statistics(
                group,
                control=control,
                reference=reference if group is not reference else None,
            )
            stats["name"] = group["variant"].name or self.offer_id.name
            stats["verdict_text"] = self._verdict_text(stats, control)
            results.append(stats)
        if control:
            stats = group_statistics(control)
            stats["name"] = self.env._("Control (holdout)")
            stats["verdict_text"] = self.env._("Reference: offered nothing.")
            results.append(stats)
        code, winners = campaign_winner(
            [stats for stats in results if not stats["is_control"]]
        )
        verdict_text = self._campaign_verdict_text(code, winners, control)
        if control and not control["arpu_window_complete"]:
            verdict_text = f"{verdict_text} {self._arpu_window_text()}"
        return {"groups": results, "verdict": code, "verdict_text": verdict_text}

    def _verdict_text(self, stats, control):
        if control is None:
            return self.env._("No control group: the uplift cannot be measured.")
        churn, arpu = stats["churn_verdict"], stats["arpu_verdict"]
        if churn == "insufficient_data" and arpu in (
            "insufficient_data",
            "window_incomplete",
        ):
            return self._not_enough_data_text(stats, control)
        sentences = []
        churn_p = f"{stats['churn_p']:.3f}" if stats["churn_p"] is not None else "-"
        arpu_p = f"{stats['arpu_p']:.3f}" if stats["arpu_p"] is not None else "-"
        if churn == "a_better":
            sentences.append(
                self.env._("Lowers churn against control (p = %s).", churn_p)
            )
        elif churn == "b_better":
            sentences.append(
                self.env._("Raises churn against control (p = %s).", churn_p)
            )
        elif churn == "no_difference":
            sentences.append(
                self.env._(
                    "No significant churn difference with control (p = %s).", churn_p
                )
            )
        if arpu == "a_better":
            sentences.append(
                self.env._("Raises the ARPU change against control (p = %s).", arpu_p)
            )
        elif arpu == "b_better":
            sentences.append(
                self.env._("Lowers the ARPU change against control (p = %s).", arpu_p)
            )
        elif arpu == "no_difference":
            sentences.append(
                self.env._(
                    "No significant ARPU difference with control (p = %s).", arpu_p
                )
            )
        if arpu == "window_incomplete":
            sentences.append(self._arpu_window_text())
        if "insufficient_data" in (churn, arpu):
            sentences.append(self.env._("Too little data yet for the other figure."))
        return " ".join(sentences)

    def _not_enough_data_text(self, stats, control):
        text = self.env._(
            "Not enough data yet: %(group)s subscribers here and %(control)s in "
            "control; at least %(min)s per group and %(events)s churned "
            "subscribers in each are needed before naming a winner.",
            group=stats["targeted"],
            control=control["targeted"],
            min=MIN_SAMPLE_PER_GROUP,
            events=MIN_EVENTS_PER_GROUP,
        )
        if stats["arpu_verdict"] == "window_incomplete":
            text = f"{text} {self._arpu_window_text()}"
        return text

    def _arpu_window_text(self):
        return self.env._(
            "ARPU: the %(months)s months after the launch are not all over and "
            "billed yet (until %(last)s): no verdict on ARPU before.",
            months=self.arpu_window_months,
            last=self._get_arpu_window()["last_month"].strftime("%m/%Y"),
        )

    def _campaign_verdict_text(self, code, winners, control):
        if control is None:
            return self.env._("No control group: no winner can be named.")
        if code == "insufficient_data":
            return self.env._(
                "No winner yet: not enough data to tell any variant from control."
            )
        if code == "winner":
            return self.env._(
                "%s beats the control group significantly.", winners[0]["name"]
            )
        if code == "several":
            return self.env._(
                "Several variants beat the control group (%s): the data do not "
                "tell which is best.",
                ", ".join(stats["name"] for stats in winners),
            )
        return self.env._("No variant beats the control group significantly.")

    def _get_results_table(self, results=None):
        """``(headers, rows)`` of the results, as shown and exported."""
        self.ensure_one()
        results = results or self._get_results()

        def percent(value):
            return "" if value is None else f"{100 * value:.1f} %"

        def interval(bounds):
            low, high = bounds
            return "" if low is None else f"{100 * low:.1f} – {100 * high:.1f} %"

        def p_value(value):
            return "" if value is None else f"{value:.3f}"

        headers = [
            self.env._("Group"),
            self.env._("Targeted"),
            self.env._("Sent"),
            self.env._("Delivered"),
            self.env._("Accepted"),
            self.env._("Request Completed"),
            self.env._("Acceptance Rate"),
            self.env._("Acceptance 95% CI"),
            self.env._("Acceptance p (vs first variant)"),
            self.env._("Churn Rate"),
            self.env._("Churn 95% CI"),
            self.env._("Churn p (vs control)"),
            self.env._("ARPU Change (mean)"),
            self.env._("ARPU Figures"),
            self.env._("Without Billed Months"),
            self.env._("ARPU p (vs control, Welch)"),
            self.env._("Verdict"),
        ]
        rows = [
            [
                stats["name"],
                stats["targeted"],
                stats["sent"],
                stats["delivered"],
                stats["accepted"],
                stats["completed"],
                percent(stats["acceptance_rate"]),
                interval(stats["acceptance_ci"]),
                p_value(stats["acceptance_p"]),
                percent(stats["churn_rate"]),
                interval(stats["churn_ci"]),
                p_value(stats["churn_p"]),
                round(stats["arpu_mean"], 2) if stats["arpu_n"] else "",
                stats["arpu_n"],
                stats["arpu_excluded"],
                p_value(stats["arpu_p"]),
                stats["verdict_text"],
            ]
            for stats in results["groups"]
        ]
        return headers, rows

    def _render_results_html(self):
        self.ensure_one()
        results = self._get_results()
        headers, rows = self._get_results_table(results)
        head = Markup("").join(Markup("<th>%s</th>") % header for header in headers)
        body = Markup("").join(
            Markup("<tr>%s</tr>")
            % Markup("").join(Markup("<td>%s</td>") % cell for cell in row)
            for row in rows
        )
        return Markup(
            '<p class="fw-bold">%s</p>'
            '<table class="table table-sm o_telecom_campaign_results">'
            "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
        ) % (results["verdict_text"], head, body)

    def _export_results_xlsx(self):
        """The results, the funnel and the campaign's settings as XLSX bytes."""
        self.ensure_one()
        results = self._get_results()
        headers, rows = self._get_results_table(results)
        stage_labels = dict(
            self.env["telecom.campaign.funnel.report"]
            ._fields["stage"]
            ._description_selection(self.env)
        )
        funnel_headers = [self.env._("Group"), *stage_labels.values()]
        funnel_rows = [
            [
                row[0],
                stats["targeted"],
                stats["sent"],
                stats["delivered"],
                stats["accepted"],
                stats["completed"],
            ]
            for row, stats in zip(rows, results["groups"], strict=True)
        ]
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        summary = [
            (self.env._("Campaign"), self.name),
            (self.env._("Kind"), kinds[self.kind]),
            (self.env._("Target Segment"), self.segment_id.display_name),
            (
                self.env._("Launched On"),
                fields.Datetime.to_string(self.launch_date) or "",
            ),
            (
                self.env._("Subscribers in the Frozen Target"),
                self.snapshot_id.member_count,
            ),
            (self.env._("Verdict"), results["verdict_text"]),
        ]
        return build_results_workbook(
            [
                (
                    self.env._("Summary"),
                    [self.env._("Item"), self.env._("Value")],
                    [list(line) for line in summary],
                ),
                (self.env._("Results"), headers, rows),
                (self.env._("Funnel"), funnel_headers, funnel_rows),
            ]
        )
