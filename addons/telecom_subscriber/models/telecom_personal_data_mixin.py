from odoo import models
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

    def read(self, fields=None, load="_classic_read"):
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

    # reading personal data journals it: the web client must not route these
    # calls to a read-only cursor (where the journal could not be written)
    read._readonly = False

    def web_read(self, specification):
        return super().web_read(specification)

    web_read._readonly = False

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

    def _telecom_audit(self, operation, field_names, denied=False):
        records = self if denied else self._telecom_audited_records()
        if records:
            self.env["telecom.audit.log"]._log(
                records, operation, field_names, denied=denied
            )
