"""The billing import job: its file, its state machine and its progress.

The file format (columns, header, parsing of a row) is in ``tools/billing_csv.py``,
which also carries the user documentation of the columns; the checks and record
creation of one chunk are in ``telecom.import.batch``.
"""

import base64
import logging

from psycopg2.extensions import TransactionRollbackError

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import billing_csv

_logger = logging.getLogger(__name__)

# no mail noise for bulk-created records: no tracking values, no "created" message
QUIET_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


class TelecomImport(models.Model):
    """Import of subscribers, accounts and services from a billing CSV export.

    One record is one import job: the file, the progress counters, the state and
    the rejected or skipped rows (``telecom.import.error``). The file is described
    in ``tools/billing_csv.py``: one service per row, the rows of one customer
    sharing one subscriber and its accounts.

    States: draft → queued (background) or running (Import Now) → done; a chunk
    that fails moves the job to failed, from where it resumes at its next row.

    Processing reads the rows from ``next_row`` on, one chunk at a time: parse, load
    the lookups with one query per kind, validate every row, then create partners,
    accounts and services with one batched ``create`` each. Bad rows become error
    records and the good rows are imported; a row whose service exists already is
    skipped, so re-running a chunk or re-importing a file never duplicates. Big files
    are processed by the cron :meth:`_cron_process_imports`, one chunk per call and
    one transaction per chunk (Odoo's cron progress API commits in between).
    """

    _name = "telecom.import"
    _description = "Billing Import"
    _inherit = ["mail.thread"]
    _order = "id desc"

    # rows per chunk: one transaction each in the background
    _chunk_size = 10000
    # above this many rows "Import Now" refuses and asks for the background import
    _sync_row_limit = 20000

    name = fields.Char(required=True, default=lambda self: self.env._("Billing import"))
    import_kind = fields.Selection(
        [
            ("subscribers", "Subscribers and Services"),
            ("usage", "Monthly Usage and Charges"),
        ],
        string="File Content",
        required=True,
        default="subscribers",
        help="Subscribers and Services: one service per row, creates what is new. "
        "Monthly Usage and Charges: one line and month per row, updates the month "
        "when imported again.",
    )
    file = fields.Binary(string="CSV File", required=True, attachment=True)
    file_name = fields.Char()
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    row_count = fields.Integer(
        string="Rows",
        readonly=True,
        help="Data rows of the file, blank lines excluded.",
    )
    next_row = fields.Integer(string="Processed Rows", readonly=True)
    next_offset = fields.Integer(
        readonly=True, help="Character offset in the file of the next row to process."
    )
    next_line = fields.Integer(readonly=True, help="Last line of the file processed.")
    imported_count = fields.Integer(string="Imported Services", readonly=True)
    skipped_count = fields.Integer(
        string="Skipped Rows",
        readonly=True,
        help="Rows whose service exists already (imported before).",
    )
    error_count = fields.Integer(string="Rejected Rows", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    duplicate_identifiers = fields.Json(
        readonly=True,
        help="MSISDN and ICCID of live services written more than once in the file, "
        "with the line of their first occurrence.",
    )
    failure_message = fields.Text(readonly=True)
    error_ids = fields.One2many("telecom.import.error", "import_id", string="Errors")

    def init(self):
        result = super().init()
        # the staging table of the files (raw cells), see telecom.import.stage
        self.env["telecom.import.stage"]._init_stage_table()
        return result

    @api.depends("next_row", "row_count")
    def _compute_progress(self):
        for job in self:
            job.progress = (
                100.0 * job.next_row / job.row_count if job.row_count else 0.0
            )

    def write(self, vals):
        if "file" in vals and any(job.state != "draft" for job in self):
            raise UserError(
                self.env._(
                    "The file of a started import cannot be changed; "
                    "create a new import."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_running(self):
        if any(job.state == "running" for job in self):
            raise UserError(self.env._("A running import cannot be deleted."))

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_start(self):
        """Queue the import: the cron imports it chunk by chunk, in the background."""
        self.ensure_one()
        self.check_access("write")
        self._prepare_run()
        self.write({"state": "queued", "failure_message": False})
        self.env.ref("telecom_subscriber.ir_cron_telecom_import")._trigger()
        return True

    def action_process_now(self):
        """Import the whole file in the current transaction (small files only)."""
        self.ensure_one()
        self.check_access("write")
        self._prepare_run()
        remaining = self.row_count - self.next_row
        if remaining > self._sync_row_limit:
            raise UserError(
                self.env._(
                    "This file has %(count)s rows to import; above %(limit)s rows, "
                    "use Start in Background.",
                    count=remaining,
                    limit=self._sync_row_limit,
                )
            )
        self.write({"state": "running", "failure_message": False})
        job = self.with_context(**QUIET_CONTEXT)
        while job.state == "running":
            job._process_chunk(self._chunk_size)
        return True

    # ------------------------------------------------------------------
    # cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_process_imports(self, chunk_size=None):
        """Import one chunk of the oldest queued import and report the progress.

        Odoo commits after each call and calls again while rows remain
        (``ir.cron._notify_progress``): one chunk, one transaction.
        """
        domain = [("state", "in", ("queued", "running"))]
        job = self.search(domain, order="id", limit=1)
        done = job._run_background_chunk(chunk_size or self._chunk_size) if job else 0
        remaining = sum(
            max(pending.row_count - pending.next_row, 1)
            for pending in self.search(domain)
        )
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)

    def _run_background_chunk(self, chunk_size):
        """Import one chunk as the user who started the import; an error fails it.

        Returns the rows handled, at least 1 so the cron goes on after a failure.
        """
        self.ensure_one()
        user = self.create_uid
        job = self.with_user(user).with_company(self.company_id)
        job = job.with_context(lang=user.lang, **QUIET_CONTEXT)
        before = self.next_row
        try:
            with self.env.cr.savepoint():
                if job.state == "queued":
                    job.state = "running"
                job._process_chunk(chunk_size)
        except TransactionRollbackError:
            raise  # concurrent update: the cron retries the chunk later
        except Exception as error:  # any failure stops this job only, not the cron
            _logger.warning("Billing import %s stopped", self.id, exc_info=True)
            self._fail(job.env["telecom.import.batch"]._error_message(error))
            return 1
        return max(self.next_row - before, 1)

    def _fail(self, message):
        self.write({"state": "failed", "failure_message": message})
        self.message_post(
            body=self.env._("Import stopped: %(error)s", error=message),
            subtype_xmlid="mail.mt_comment",
        )

    # ------------------------------------------------------------------
    # processing
    # ------------------------------------------------------------------
    def _prepare_run(self):
        """Check the job may run; on a fresh run scan the whole file once.

        The scan checks the header (a missing column fails the import at once),
        counts the rows and notes the numbers of live services written twice.
        """
        if self.state not in ("draft", "failed"):
            raise UserError(self.env._("Only draft or failed imports can be started."))
        if self.import_kind == "usage":
            return self._prepare_usage_run()
        for model in ("res.partner", "telecom.account", "telecom.service"):
            self.env[model].check_access("create")
        if self.next_row:
            return  # a failed import resumes where it stopped
        self._stage_file()

    def _stage_file(self):
        """Copy the records of the file into the staging table, count them and
        note the numbers of live services written twice."""
        text = self._read_text()
        header = billing_csv.read_header(self.env, text)
        Stage = self.env["telecom.import.stage"]
        row_count = Stage._stage_file(self, text, header)
        self.write(
            {
                "row_count": row_count,
                "next_offset": header.offset,
                "next_line": header.line_number,
                "duplicate_identifiers": Stage._duplicate_identifiers(self),
            }
        )

    def _read_text(self):
        return billing_csv.decode_text(self.env, base64.b64decode(self.file or b""))

    def _process_chunk(self, chunk_size):
        """Import the next ``chunk_size`` staged rows: load, check, create, record."""
        self.ensure_one()
        if self.import_kind == "usage":
            return self._process_usage_chunk(chunk_size)
        self.env.flush_all()
        Stage = self.env["telecom.import.stage"]
        if not Stage._has_staged(self):
            self._stage_file()  # staged before an upgrade, or lost: stage again
        rows = Stage._staged_range(self, self.next_row, chunk_size)
        self.env["telecom.import.lookup"]._load_lookups(self, rows)
        count, last_line = Stage._load_chunk(self, self.next_row, chunk_size)
        batch = self.env["telecom.import.batch"]
        batch._check_chunk(self)
        created = batch._create_records(self)
        self._record_staged_chunk(count, last_line, created)
        return created

    def _record_staged_chunk(self, count, last_line, created):
        """Store the errors of the chunk and move the counters, in one go."""
        Error = self.env["telecom.import.error"]
        errors, skipped = Error._create_from_chunk(self)
        vals = {
            "next_row": self.next_row + count,
            "next_line": last_line or self.next_line,
            "imported_count": self.imported_count + created,
            "skipped_count": self.skipped_count + skipped,
            "error_count": self.error_count + errors,
        }
        finished = not count or vals["next_row"] >= self.row_count
        if finished:
            vals["state"] = "done"
            self.env["telecom.import.stage"]._drop_staged(self)
        self.write(vals)
        if finished:
            self._post_summary()

    def _record_chunk(self, chunk, services, problems, skipped):
        """Store the errors of a usage chunk and move the counters, in one go."""
        self.env["telecom.import.error"]._create_for_rows(self, problems, skipped)
        vals = {
            "next_row": self.next_row + len(chunk.rows),
            "next_offset": chunk.end_offset,
            "next_line": chunk.end_line,
            "imported_count": self.imported_count + len(services),
            "skipped_count": self.skipped_count + len(skipped),
            "error_count": self.error_count + len({problem[0] for problem in problems}),
        }
        finished = not chunk.rows or vals["next_row"] >= self.row_count
        if finished:
            vals["state"] = "done"
        self.write(vals)
        if finished:
            self._post_summary()

    def _post_summary(self):
        if self.import_kind == "usage":
            return self._post_usage_summary()
        self.message_post(
            body=self.env._(
                "Import finished: %(imported)s services imported, %(skipped)s rows "
                "skipped (already imported), %(rejected)s rows rejected.",
                imported=self.imported_count,
                skipped=self.skipped_count,
                rejected=self.error_count,
            ),
            subtype_xmlid="mail.mt_comment",
        )
