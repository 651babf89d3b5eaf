from odoo import api, models
from odoo.exceptions import AccessError


class TelecomPersonalDataMixin(models.AbstractModel):
    """Journal every read, change and export of personal-data fields.

    A model lists its personal-data fields in ``_telecom_personal_fields``; every
    access by a user (not by the system) to one of them writes a
    ``telecom.audit.log`` row, including refused attempts.
    """

    _name = "telecom.personal.data.mixin"
    _description = "Personal Data Audit Mixin"
    _telecom_personal_fields = ()

    # Reads keep the read-only cursor the web client asks for (a replica, maybe):
    # only a read that includes personal data asks Odoo to replay the request on a
    # read/write cursor, where its journal row is written (telecom.audit.log._log).

    def read(self, fields=None, load="_classic_read"):
        # web_read (form, list, kanban, x2many, many2one sub-fields) reads through here
        personal_fields = self._telecom_touched_personal_fields(fields)
        if not personal_fields:
            return super().read(fields, load=load)
        try:
            result = super().read(fields, load=load)
        except AccessError:
            self._telecom_audit("view", personal_fields, denied=True)
            raise
        self._telecom_audit("view", personal_fields)
        return result

    @api.model
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        # search_read does not go through read(): journal what it returned
        personal_fields = self._telecom_touched_personal_fields(fields)
        if not personal_fields:
            return super().search_read(
                domain, fields, offset=offset, limit=limit, order=order, **read_kwargs
            )
        try:
            result = super().search_read(
                domain, fields, offset=offset, limit=limit, order=order, **read_kwargs
            )
        except AccessError:
            self._telecom_audit("view", personal_fields, denied=True)
            raise
        self.browse([values["id"] for values in result])._telecom_audit(
            "view", personal_fields
        )
        return result

    def write(self, vals):
        personal_fields = self._telecom_touched_personal_fields(list(vals))
        if not personal_fields:
            return super().write(vals)
        try:
            result = super().write(vals)
        except AccessError:
            self._telecom_audit("change", personal_fields, denied=True)
            raise
        self._telecom_audit("change", personal_fields)
        return result

    def export_data(self, fields_to_export):
        root_fields = [path.split("/")[0] for path in fields_to_export]
        personal_fields = self._telecom_touched_personal_fields(root_fields)
        result = super().export_data(fields_to_export)
        if personal_fields:
            self._telecom_audit("export", personal_fields)
        return result

    def _telecom_touched_personal_fields(self, field_names):
        """Personal-data fields among ``field_names`` (all readable ones if None)."""
        if self.env.su or not self._telecom_personal_fields:
            return []
        if field_names is None:
            field_names = [
                name
                for name, field in self._fields.items()
                if field.is_accessible(self.env)
            ]
        return [name for name in field_names if name in self._telecom_personal_fields]

    def _telecom_audited_records(self):
        """Records whose access is journaled; override to narrow (e.g. subscribers)."""
        return self

    def _telecom_personal_fields_readable(self):
        """The personal-data fields the current user may read (none for the system)."""
        return self._telecom_touched_personal_fields(None)

    def _telecom_audit(self, operation, field_names, denied=False):
        records = self if denied else self._telecom_audited_records()
        # a refused search has no record yet: it is journaled without one
        if records or denied:
            self.env["telecom.audit.log"]._log(
                records, operation, field_names, denied=denied
            )
