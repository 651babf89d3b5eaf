import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "telecom_subscriber.telecom_subscriber_group_manager"
RETENTION_BATCH_SIZE = 1000


class TelecomRetentionRun(models.Model):
    """One application of the retention policies: the journal of what was
    anonymised or deleted, per data category and model (its lines), and for
    which subscribers (its log).

    The daily cron works in batches of subscribers, one run across the batches:
    each batch selects the subscribers due in one statement
    (:meth:`_due_rows_query`), anonymises each model's fields in one UPDATE per
    category (:meth:`telecom.personal.data.mixin._telecom_anonymise`) or deletes
    its records in one ``unlink``, and reports its progress to the cron.
    """

    _name = "telecom.retention.run"
    _description = "Personal Data Retention Run"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    reference_date = fields.Date(
        required=True,
        readonly=True,
        help="Periods are counted up to this day.",
    )
    date_start = fields.Datetime(
        string="Started", required=True, readonly=True, default=fields.Datetime.now
    )
    date_end = fields.Datetime(string="Finished", readonly=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    trigger = fields.Selection(
        [("cron", "Scheduled"), ("manual", "Manual")],
        required=True,
        readonly=True,
        default="cron",
    )
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")],
        required=True,
        readonly=True,
        default="running",
        index=True,
    )
    subscriber_count = fields.Integer(string="Subscribers", readonly=True)
    line_ids = fields.One2many(
        "telecom.retention.run.line", "run_id", string="Summary", readonly=True
    )
    log_ids = fields.One2many(
        "telecom.retention.log", "run_id", string="Subscribers Processed"
    )

    @api.depends("reference_date", "trigger")
    def _compute_name(self):
        for run in self:
            run.name = self.env._(
                "Retention of %(date)s", date=run.reference_date or ""
            )

    # ------------------------------------------------------------------
    # cron and manual runs
    # ------------------------------------------------------------------
    @api.model
    def _cron_apply_retention(self, batch_size=RETENTION_BATCH_SIZE):
        """One batch of the running run (a new run when none is running); the
        cron calls again while subscribers remain."""
        run = self.search([("state", "=", "running")], limit=1) or self.create(
            {"reference_date": fields.Date.context_today(self)}
        )
        done, remaining = run._apply_batch(batch_size)
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
        return run

    @api.model
    def _apply_retention(self, reference_date, trigger="manual", batch_size=None):
        """Process every due subscriber up to ``reference_date`` in batches,
        in this transaction; return the run."""
        run = self.create({"reference_date": reference_date, "trigger": trigger})
        while run.state == "running":
            run._apply_batch(batch_size or RETENTION_BATCH_SIZE)
        return run

    def _apply_batch(self, batch_size):
        """Process the next ``batch_size`` due subscribers; (done, remaining)."""
        self.ensure_one()
        # sudo: the policies act on every record of the subscriber whatever the
        # zones and groups of the user (a cron, an administrator) running them
        run = self.sudo()
        entries = run._retention_entries()
        rows = run._due_rows(self.reference_date, batch_size, entries)
        if not rows:
            run.write({"state": "done", "date_end": fields.Datetime.now()})
            return 0, 0
        plan = defaultdict(set)
        for partner_id, category, action in rows:
            plan[category, action].add(partner_id)
        counts = []
        for (category, action), partner_ids in sorted(plan.items()):
            counts += run._apply_category(
                category, action, sorted(partner_ids), entries
            )
        run._journal(rows, counts)
        self.env.flush_all()
        done = len({row[0] for row in rows})
        remaining = run._due_subscriber_count(self.reference_date, entries)
        if not remaining:
            run.write({"state": "done", "date_end": fields.Datetime.now()})
        _logger.info(
            "Retention run %s: %s subscribers processed, %s remaining",
            self.id,
            done,
            remaining,
        )
        return done, remaining

    def _apply_category(self, category, action, partner_ids, entries):
        """Anonymise or delete the data of ``category`` of the subscribers;
        ``(category, action, model, fields, subscriber ids, records)`` per model."""
        counts = []
        for model_name, model_entries in self._entries_by_model(
            category, entries
        ).items():
            model = self.env[model_name].with_context(active_test=False)
            subject_field = model_entries[0].subject_field
            if subject_field == "id":
                records = model.browse(partner_ids)
            else:
                records = model.search([(subject_field, "in", partner_ids)])
            field_names = [entry.field for entry in model_entries]
            # the subscriber's own record stays (statistics): anonymised
            record_action = action if subject_field != "id" else "anonymise"
            if record_action == "delete":
                record_count = len(records)
                records.unlink()
            else:
                records._telecom_anonymise(
                    {entry.field: entry.anonymise for entry in model_entries}
                )
                record_count = len(records)
            counts.append(
                (
                    category,
                    record_action,
                    model_name,
                    field_names,
                    partner_ids,
                    record_count,
                )
            )
        return counts

    def _journal(self, rows, counts):
        """Log the subscribers processed, sum the counts on the run's lines and
        write the personal-data audit log (one row per subscriber and action)."""
        self.env["telecom.retention.log"].create(
            [
                {
                    "run_id": self.id,
                    "partner_id": partner_id,
                    "category": category,
                    "action": action,
                }
                for partner_id, category, action in rows
            ]
        )
        lines = {
            (line.category, line.action, line.model): line for line in self.line_ids
        }
        audited = defaultdict(lambda: (set(), set()))
        for category, action, model_name, field_names, partner_ids, records in counts:
            line = lines.get((category, action, model_name))
            if line:
                line.write(
                    {
                        "subscriber_count": line.subscriber_count + len(partner_ids),
                        "record_count": line.record_count + records,
                    }
                )
            else:
                lines[category, action, model_name] = self.env[
                    "telecom.retention.run.line"
                ].create(
                    {
                        "run_id": self.id,
                        "category": category,
                        "action": action,
                        "model": model_name,
                        "field_names": ", ".join(field_names),
                        "subscriber_count": len(partner_ids),
                        "record_count": records,
                    }
                )
            audited[action][0].update(partner_ids)
            audited[action][1].update(f"{model_name}.{name}" for name in field_names)
        for action, (partner_ids, field_names) in sorted(audited.items()):
            self.env["telecom.audit.log"]._log(
                self.env["res.partner"].browse(sorted(partner_ids)),
                action,
                field_names,
            )
        self.subscriber_count += len({row[0] for row in rows})

    # ------------------------------------------------------------------
    # what is due
    # ------------------------------------------------------------------
    @api.model
    def _retention_plan(self, reference_date):
        """What a run on ``reference_date`` would do, changing nothing:
        ``{(category, action, model): (subscriber ids, record count)}``."""
        entries = self._retention_entries()
        rows = self._due_rows(reference_date, None, entries)
        plan = defaultdict(set)
        for partner_id, category, action in rows:
            plan[category, action].add(partner_id)
        result = {}
        for (category, action), partner_ids in plan.items():
            for model_name, model_entries in self._entries_by_model(
                category, entries
            ).items():
                subject_field = model_entries[0].subject_field
                if subject_field == "id":
                    record_count = len(partner_ids)
                    record_action = "anonymise"
                else:
                    # sudo: the plan counts every record of the subscriber, like the run
                    record_count = (
                        self.env[model_name]
                        .sudo()
                        .with_context(active_test=False)
                        .search_count([(subject_field, "in", list(partner_ids))])
                    )
                    record_action = action
                result[category, record_action, model_name] = (
                    frozenset(partner_ids),
                    record_count,
                )
        return result

    @api.model
    def _entries_by_model(self, category, entries):
        """The ``entries`` whose retention follows ``category``, by model, for
        the models that lead to a subscriber."""
        by_model = defaultdict(list)
        for entry in entries:
            if entry.retention == category and entry.subject_field:
                by_model[entry.model].append(entry)
        return dict(sorted(by_model.items()))

    @api.model
    def _retention_entries(self):
        return self.env["telecom.personal.data.mixin"]._telecom_register_entries()

    @api.model
    def _retention_categories(self, entries):
        """Categories some declared field of a model leading to a subscriber
        follows: the only ones a run processes."""
        return sorted({entry.retention for entry in entries if entry.subject_field})

    @api.model
    def _due_rows(self, reference_date, limit=None, entries=None):
        """``(partner id, category, action)`` due on ``reference_date``, for the
        first ``limit`` subscribers due (all when None)."""
        categories = self._retention_categories(entries or self._retention_entries())
        if not categories:
            return []
        due = self._due_rows_query(reference_date, categories)
        query = SQL(
            "WITH due AS (%s) SELECT partner_id, category, action FROM due %s"
            " ORDER BY partner_id, category",
            due,
            SQL(
                "WHERE partner_id IN (SELECT DISTINCT partner_id FROM due"
                " ORDER BY partner_id LIMIT %s)",
                limit,
            )
            if limit
            else SQL(),
        )
        self.env.flush_all()
        self.env.cr.execute(query)
        return self.env.cr.fetchall()

    @api.model
    def _due_subscriber_count(self, reference_date, entries=None):
        categories = self._retention_categories(entries or self._retention_entries())
        if not categories:
            return 0
        self.env.cr.execute(
            SQL(
                "WITH due AS (%s) SELECT COUNT(DISTINCT partner_id) FROM due",
                self._due_rows_query(reference_date, categories),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _due_rows_query(self, reference_date, categories):
        """``(partner_id, category, action)`` of the subscribers whose every
        contract ended long enough ago for the active policy of a category of
        each of their companies (the longest wins), not processed yet."""
        return SQL(
            """
            WITH ended AS (%(ended)s),
            subjects AS (
                SELECT ended.partner_id, ended.end_date
                  FROM ended
                  JOIN res_partner partner ON partner.id = ended.partner_id
                 WHERE partner.telecom_is_subscriber
                   AND partner.is_company IS NOT TRUE
            ),
            companies AS (
                SELECT DISTINCT account.partner_id, account.company_id
                  FROM telecom_account account
                  JOIN subjects ON subjects.partner_id = account.partner_id
            ),
            periods AS (
                SELECT companies.partner_id, policy.category,
                       COUNT(*) AS policy_count, MAX(policy.years) AS years,
                       (ARRAY_AGG(policy.action
                                  ORDER BY policy.years DESC, policy.id))[1] AS action
                  FROM companies
                  JOIN telecom_retention_policy policy
                    ON policy.company_id = companies.company_id AND policy.active
                 WHERE policy.category = ANY(%(categories)s)
                 GROUP BY companies.partner_id, policy.category
            )
            SELECT subjects.partner_id, periods.category, periods.action
              FROM subjects
              JOIN periods ON periods.partner_id = subjects.partner_id
             WHERE periods.action != 'keep'
               AND periods.policy_count = (
                       SELECT COUNT(*) FROM companies
                        WHERE companies.partner_id = subjects.partner_id)
               AND subjects.end_date + MAKE_INTERVAL(years => periods.years)
                   <= %(reference_date)s
               AND NOT EXISTS (
                       SELECT 1 FROM telecom_retention_log log
                        WHERE log.partner_id = subjects.partner_id
                          AND log.category = periods.category)
            """,
            ended=self._get_ended_subscribers_query(),
            categories=categories,
            reference_date=reference_date,
        )

    @api.model
    def _get_ended_subscribers_query(self):
        """``(partner_id, end_date)`` of the subscribers whose every service is
        terminated, with the day the last one ended (hook: an addon with
        contracts of its own extends it)."""
        return SQL(
            """
            SELECT service.partner_id, MAX(service.termination_date) AS end_date
              FROM telecom_service service
             WHERE service.partner_id IS NOT NULL
             GROUP BY service.partner_id
            HAVING BOOL_AND(service.state = 'terminated'
                            AND service.termination_date IS NOT NULL)
            """
        )

    # ------------------------------------------------------------------
    # access
    # ------------------------------------------------------------------
    @api.model
    def _check_retention_manager(self):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only an administrator of the telecom CRM applies retention."
                )
            )
