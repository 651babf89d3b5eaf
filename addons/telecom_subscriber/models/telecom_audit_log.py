import logging

from psycopg2.errors import ReadOnlySqlTransaction

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.http import request

_logger = logging.getLogger(__name__)


class TelecomAuditLog(models.Model):
    """Append-only journal of who viewed, changed or exported personal data."""

    _name = "telecom.audit.log"
    _description = "Personal Data Audit Log"
    _order = "id desc"
    _log_access = False

    date = fields.Datetime(
        required=True, default=fields.Datetime.now, readonly=True, index=True
    )
    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        readonly=True,
        index=True,
        ondelete="set null",
    )
    res_model = fields.Char(string="Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Record", model_field="res_model", readonly=True
    )
    operation = fields.Selection(
        [
            ("view", "Viewed"),
            ("change", "Changed"),
            ("export", "Exported"),
            ("print", "Printed"),
            ("anonymise", "Anonymised (Retention)"),
            ("delete", "Deleted (Retention)"),
        ],
        required=True,
        readonly=True,
    )
    result = fields.Selection(
        [("granted", "Granted"), ("denied", "Denied")], required=True, readonly=True
    )
    field_names = fields.Char(string="Fields", readonly=True)
    ip_address = fields.Char(string="IP Address", readonly=True)
    jurisdiction = fields.Char(
        readonly=True,
        help="Jurisdiction of personal data this database refused to store "
        "(telecom.residency).",
    )
    company_id = fields.Many2one("res.company", readonly=True, index=True)

    @api.model
    def _log(self, records, operation, field_names, denied=False, jurisdiction=False):
        """Write one row per record, in one INSERT, in the user's transaction.

        A refused access rolls back the user's transaction: it is journaled through
        a cursor of its own. The web client reads on a read-only cursor (a replica,
        maybe), which cannot write: the read raises the error on which Odoo replays
        the request on a read/write cursor, so only the reads that include personal
        data leave the read-only cursor, and the row and the read share one
        transaction.
        """
        vals_list = self._prepare_log_vals(records, operation, field_names, denied)
        if jurisdiction:
            for vals in vals_list:
                vals["jurisdiction"] = jurisdiction
        if denied:
            self._log_in_own_transaction(vals_list)
            return
        if self.env.cr.readonly:
            raise ReadOnlySqlTransaction(
                "a read of personal data is journaled: replaying it"
            )
        # sudo: users may not create audit rows themselves (append-only log)
        self.sudo().create(vals_list)

    def _log_in_own_transaction(self, vals_list):
        try:
            with self.env.registry.cursor() as audit_cr:
                # sudo: users may not create audit rows themselves (append-only log)
                self.env(cr=audit_cr)["telecom.audit.log"].sudo().create(vals_list)
        except Exception:  # noqa: BLE001 - the refused access must still be raised
            # e.g. the user or subscriber was created in the refused transaction
            _logger.warning(
                "Refused access to personal data not journaled: %s", vals_list
            )

    def _prepare_log_vals(self, records, operation, field_names, denied):
        ip_address = request.httprequest.remote_addr if request else False
        partner_ids = self._partner_ids_of(records)
        return [
            {
                "user_id": self.env.uid,
                "partner_id": partner_ids.get(record_id),
                "res_model": records._name,
                "res_id": record_id,
                "operation": operation,
                "result": "denied" if denied else "granted",
                "field_names": ",".join(sorted(field_names)),
                "ip_address": ip_address,
                "company_id": self.env.company.id,
            }
            for record_id in records.ids or [False]
        ]

    def _partner_ids_of(self, records):
        if records._name == "res.partner":
            return {record_id: record_id for record_id in records.ids}
        if "partner_id" in records._fields:
            # sudo: the subscriber link is journaled even when the user may not read it
            return {record.id: record.partner_id.id for record in records.sudo()}
        return {}

    def write(self, vals):  # pylint: disable=method-required-super
        # append-only: nobody, the administrator included, rewrites history
        raise UserError(self.env._("The personal data audit log cannot be changed."))

    def unlink(self):  # pylint: disable=method-required-super
        raise UserError(self.env._("The personal data audit log cannot be deleted."))
