from odoo import api, models


class TelecomPersonalDataMixin(models.AbstractModel):
    """Residency of personal data (152-FZ), on every model of the audit mixin.

    Kept apart from the audit (``telecom_personal_data_mixin.py``): creating a
    record of personal data, storing personal data in it, or moving it to
    another zone or company is refused when its jurisdiction is not one this
    database stores (``telecom.residency``). The check runs once per
    ``create``/``write`` over all the records, after the ORM has filled them
    (defaults, computed zones): a few queries whatever their number.
    """

    _inherit = "telecom.personal.data.mixin"

    # Many2one to telecom.region giving a record its jurisdiction; None: the
    # model's telecom_region_id or region_id
    _telecom_region_field = None
    # direct identifiers of a person that are not access-restricted (name,
    # contacts, address): like the personal fields, they never leave the
    # jurisdiction (see telecom.analytics.export)
    _telecom_identifying_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        Residency = self.env["telecom.residency"]
        if Residency._is_restricted():
            triggers = records._telecom_residency_trigger_fields()
            given = {name for vals in vals_list for name in vals if name in triggers}
            Residency._check_records(
                records._telecom_residency_scope(vals_list), given, created=True
            )
        return records

    def write(self, vals):
        result = super().write(vals)
        touched = set(vals) & self._telecom_residency_trigger_fields()
        if touched and self.env["telecom.residency"]._is_restricted():
            personal = set(self._telecom_personal_fields)
            # clearing personal data (an erasure) stores nothing
            stored = any(vals[name] for name in touched & personal)
            moved = bool(touched - personal)
            if stored or moved:
                scope = self._telecom_audited_records()
                if stored:
                    scope |= self
                self.env["telecom.residency"]._check_records(scope, touched)
        return result

    def _telecom_residency_scope(self, vals_list):
        """The records of ``self`` (created from ``vals_list``) that hold
        personal data: given some, or audited (e.g. subscribers)."""
        personal = self._telecom_personal_fields
        given = self.browse(
            record.id
            for record, vals in zip(self, vals_list, strict=True)
            if any(vals.get(name) for name in personal)
        )
        return given | self._telecom_audited_records()

    def _telecom_residency_trigger_fields(self):
        """Fields whose change stores personal data or moves it to another
        jurisdiction."""
        region_field = self._telecom_jurisdiction_region_field()
        placement = {region_field, "company_id"} & set(self._fields)
        return set(self._telecom_personal_fields) | placement

    def _telecom_jurisdiction_region_field(self):
        """Name of the zone field deciding the jurisdiction (None: no zone)."""
        if self._telecom_region_field:
            return self._telecom_region_field
        return next(
            (
                name
                for name in ("telecom_region_id", "region_id")
                if name in self._fields
                and self._fields[name].comodel_name == "telecom.region"
            ),
            None,
        )

    @api.model
    def _telecom_export_forbidden_fields(self):
        """Fields whose values never leave the jurisdiction: the personal data
        fields (journaled or only declared for the register) and the direct
        identifiers."""
        return tuple(
            dict.fromkeys(
                [
                    *self._telecom_personal_fields,
                    *self._telecom_personal_declarations(),
                    *self._telecom_identifying_fields,
                ]
            )
        )
