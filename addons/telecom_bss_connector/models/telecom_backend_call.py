from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

OUTCOMES = [
    ("ok", "OK"),
    ("rejected", "Rejected (functional)"),
    ("error", "Error"),
    ("timeout", "Time-out"),
    ("parse_error", "Parse Error"),
]


class TelecomBackendCall(models.Model):
    """One call to an external system: narrow and append-only.

    Rows are inserted set-based by ``telecom.backend._bss_journal`` and purged
    after ``telecom_bss_connector.call_retention_days`` days by a cron.
    """

    _name = "telecom.backend.call"
    _description = "External System Call"
    _order = "date desc, id desc"
    _log_access = False

    backend_id = fields.Many2one(
        "telecom.backend", required=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    operation = fields.Char(required=True, readonly=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    outcome = fields.Selection(OUTCOMES, required=True, readonly=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    error = fields.Text(readonly=True)

    def init(self):
        # health figures read one backend's recent calls
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_backend_call_backend_date_idx
               ON telecom_backend_call (backend_id, date DESC)"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS telecom_backend_call_last_ok_idx
               ON telecom_backend_call (backend_id, date DESC)
               WHERE outcome = 'ok'"""
        )

    @api.model
    def _cron_purge(self, batch_size=50000):
        """Delete calls older than the retention, in batches."""
        # sudo: the retention is a system parameter; the cron may run as anyone
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("telecom_bss_connector.call_retention_days", 30)
        )
        limit = fields.Datetime.now() - timedelta(days=days)
        self.env.cr.execute(
            SQL(
                """DELETE FROM telecom_backend_call WHERE id IN (
                       SELECT id FROM telecom_backend_call WHERE date < %s LIMIT %s)""",
                limit,
                batch_size,
            )
        )
        done = self.env.cr.rowcount
        remaining = 0
        if done == batch_size:
            self.env.cr.execute(
                SQL("SELECT count(*) FROM telecom_backend_call WHERE date < %s", limit)
            )
            remaining = self.env.cr.fetchone()[0]
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
