from odoo import api, fields, models
from odoo.tools import SQL


class TelecomScenarioThreshold(models.Model):
    """Whether a subscriber's figure has reached the threshold of a scenario.

    A threshold on a subscriber figure (say 3 complaints in 30 days) starts a
    run when it is crossed, not on every later event: the trigger event that
    finds the figure at the threshold while this row says *not reached* (or
    there is no row yet) is a crossing. The row then says *reached* until a
    check finds the figure below the threshold again (a trigger event or the
    hourly job, after the metrics' refresh), and the next crossing starts the
    next run. Each crossing is numbered: its run's occurrence is
    ``crossing:<number>``. Only the engine writes these rows, in SQL: the
    update of one row decides between concurrent workers.
    """

    _name = "telecom.scenario.threshold"
    _description = "Scenario Threshold State"
    _order = "scenario_id, partner_id"
    _rec_name = "partner_id"

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
    company_id = fields.Many2one(related="scenario_id.company_id")
    reached = fields.Boolean(readonly=True)
    crossing_count = fields.Integer(string="Crossings", readonly=True)
    date_reached = fields.Datetime(string="Last Crossed", readonly=True)

    _sql_constraints = [
        (
            "scenario_partner_uniq",
            "unique(scenario_id, partner_id)",
            "One threshold state per scenario and subscriber.",
        ),
    ]

    @api.model
    def _cross(self, scenario, partner_ids):
        """Check the threshold of ``scenario`` for ``partner_ids`` now: return
        ``{partner id: crossing number}`` of those who just crossed it; those
        below it are reached no more."""
        if not partner_ids:
            return {}
        self.flush_model()
        self.env["telecom.subscriber.metric"].flush_model()
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """WITH reached_now AS (
                       SELECT m.partner_id FROM telecom_subscriber_metric m
                        WHERE m.partner_id = ANY(%(partners)s) AND %(threshold)s
                   ), below AS (
                       UPDATE telecom_scenario_threshold t
                          SET reached = FALSE, write_uid = %(uid)s,
                              write_date = %(now)s
                        WHERE t.scenario_id = %(scenario)s AND t.reached
                          AND t.partner_id = ANY(%(partners)s)
                          AND t.partner_id NOT IN (SELECT partner_id FROM reached_now)
                   )
                   INSERT INTO telecom_scenario_threshold AS t
                          (scenario_id, partner_id, reached, crossing_count,
                           date_reached, create_uid, create_date, write_uid,
                           write_date)
                   SELECT %(scenario)s, partner_id, TRUE, 1, %(now)s, %(uid)s,
                          %(now)s, %(uid)s, %(now)s
                     FROM reached_now
                   ON CONFLICT (scenario_id, partner_id) DO UPDATE
                      SET reached = TRUE, crossing_count = t.crossing_count + 1,
                          date_reached = EXCLUDED.date_reached,
                          write_uid = EXCLUDED.write_uid,
                          write_date = EXCLUDED.write_date
                    WHERE NOT t.reached
                   RETURNING t.partner_id, t.crossing_count""",
                partners=list(partner_ids),
                threshold=scenario._get_threshold_sql(),
                scenario=scenario.id,
                uid=self.env.uid,
                now=now,
            )
        )
        crossed = dict(self.env.cr.fetchall())
        self.invalidate_model()
        return crossed

    @api.model
    def _rearm(self, scenarios):
        """Mark reached no more the subscribers of ``scenarios`` whose figure
        is below the threshold now (one statement per scenario)."""
        self.flush_model()
        self.env["telecom.subscriber.metric"].flush_model()
        now = fields.Datetime.now()
        for scenario in scenarios:
            self.env.cr.execute(
                SQL(
                    """UPDATE telecom_scenario_threshold t
                          SET reached = FALSE, write_uid = %(uid)s,
                              write_date = %(now)s
                        WHERE t.scenario_id = %(scenario)s AND t.reached
                          AND NOT EXISTS (
                              SELECT 1 FROM telecom_subscriber_metric m
                               WHERE m.partner_id = t.partner_id AND %(threshold)s)""",
                    threshold=scenario._get_threshold_sql(),
                    scenario=scenario.id,
                    uid=self.env.uid,
                    now=now,
                )
            )
        self.invalidate_model()
