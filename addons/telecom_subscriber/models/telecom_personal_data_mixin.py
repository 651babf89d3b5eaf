from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..tools.personal_data import ANONYMISE_LABEL, DEFAULT_DECLARATION, RegisterEntry

TEXT_FIELD_TYPES = ("char", "text", "html")


class TelecomPersonalDataMixin(models.AbstractModel):
    """Declare personal-data fields (152-FZ) and journal every access to them.

    A model lists its personal-data fields in ``_telecom_personal_fields``; every
    access by a user (not by the system) to one of them writes a
    ``telecom.audit.log`` row, including refused attempts.

    The processing register (``telecom.personal.data.register``), the retention
    policies and the subject-request exports read the declarations of the
    fields, which a model gives with these class attributes (all optional):

    ``_telecom_personal_data``
        ``{field name: {key: value}}`` with the keys of
        ``tools/personal_data.py``: ``category`` (identity, document, contact,
        address, billing, communication, interaction, other), ``purpose``,
        ``legal_basis``, ``storage`` (where it is kept), ``access_groups``
        (xml ids of the groups that may read it; default: the field's
        ``groups``, else the groups that may read the model), ``retention``
        (the category whose retention policy applies; default: its own) and
        ``anonymise`` (``"clear"``: emptied, ``"label"``: replaced by a neutral
        label). A field declared here and not in ``_telecom_personal_fields``
        is in the register but its reads are not journaled (a name, a phone:
        read on every screen). Declarations of several addons for one model
        add up, field by field.
    ``_telecom_personal_data_defaults``
        The keys above for every personal field of the model (a purpose, a
        legal basis shared by all of them).
    ``_telecom_personal_subject_field``
        The field leading to the subscriber (``res.partner``) the data is
        about, ``"id"`` on partners; retention acts through it.

    A field listed in ``_telecom_personal_fields`` only (the former way) is in
    the register with the defaults (category ``other``).
    """

    _name = "telecom.personal.data.mixin"
    _description = "Personal Data Audit Mixin"
    _telecom_personal_fields = ()
    _telecom_personal_data = {}
    _telecom_personal_data_defaults = {}
    _telecom_personal_subject_field = "partner_id"

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

    # ------------------------------------------------------------------
    # declarations: the processing register
    # ------------------------------------------------------------------
    @api.model
    def _telecom_register_entries(self):
        """Rows of the processing register: every personal field of every
        installed model inheriting this mixin, as ``RegisterEntry`` named tuples
        (model, field, category, purpose, legal_basis, storage, access_groups,
        retention, anonymise, subject_field, audited), sorted by model and
        field. Public for the other addons (subject-request exports)."""
        read_groups = self._telecom_model_read_groups()
        entries = []
        for model_name in sorted(
            self.env.registry.descendants([self._name], "_inherit")
        ):
            model = self.env[model_name]
            if model._abstract or model._transient:
                continue
            entries += model._telecom_model_register_entries(
                read_groups.get(model_name, ())
            )
        return entries

    @api.model
    def _telecom_personal_declarations(self):
        """``{field name: declaration}`` of this model, complete (defaults
        filled in), in the order the fields were listed."""
        defaults = {}
        declared = {}
        # the classes of every addon extending the model, base first: their
        # declarations add up, the later ones winning key by key
        for cls in reversed(type(self).mro()):
            defaults.update(cls.__dict__.get("_telecom_personal_data_defaults", {}))
            for name, declaration in cls.__dict__.get(
                "_telecom_personal_data", {}
            ).items():
                declared[name] = {**declared.get(name, {}), **declaration}
        names = dict.fromkeys([*self._telecom_personal_fields, *declared])
        return {
            name: {**DEFAULT_DECLARATION, **defaults, **declared.get(name, {})}
            for name in names
            if name in self._fields
        }

    @api.model
    def _telecom_model_register_entries(self, model_read_groups=()):
        subject_field = self._telecom_personal_subject_field
        if subject_field != "id" and subject_field not in self._fields:
            subject_field = False
        audited = set(self._telecom_personal_fields)
        return [
            RegisterEntry(
                model=self._name,
                field=name,
                category=declaration["category"],
                purpose=declaration["purpose"],
                legal_basis=declaration["legal_basis"],
                storage=declaration["storage"],
                access_groups=tuple(
                    declaration["access_groups"]
                    or self._telecom_field_groups(name)
                    or model_read_groups
                ),
                retention=declaration["retention"] or declaration["category"],
                anonymise=declaration["anonymise"],
                subject_field=subject_field,
                audited=name in audited,
            )
            for name, declaration in sorted(
                self._telecom_personal_declarations().items()
            )
        ]

    def _telecom_field_groups(self, field_name):
        groups = self._fields[field_name].groups
        return tuple(sorted(groups.split(","))) if groups else ()

    @api.model
    def _telecom_model_read_groups(self):
        """``{model: (group xml ids)}`` of the groups with read access."""
        # sudo: the register tells who may read what, whoever reads the register
        accesses = (
            self.env["ir.model.access"]
            .sudo()
            .search([("perm_read", "=", True), ("group_id", "!=", False)])
        )
        xmlids = accesses.group_id.get_external_id()
        read_groups = {}
        for access in accesses:
            xmlid = xmlids.get(access.group_id.id)
            if xmlid:
                read_groups.setdefault(access.model_id.model, set()).add(xmlid)
        return {model: tuple(sorted(groups)) for model, groups in read_groups.items()}

    # ------------------------------------------------------------------
    # retention: anonymisation
    # ------------------------------------------------------------------
    def _telecom_anonymise(self, field_modes):
        """Replace the values of ``{field name: anonymise mode}`` by neutral
        ones on these records, in one UPDATE; the records stay (statistics).

        A ``label`` text becomes the neutral label, anything else is emptied.
        The write skips the ORM's checks on purpose (a mobile line keeps no
        number once anonymised) but not its stored computations, recomputed
        from the new values (a partner's complete name, a service's name).
        """
        if not self:
            return
        names = list(field_modes)
        label = self.env._("Anonymised")
        assignments = []
        if self._log_access:
            assignments.append(
                SQL(
                    "write_uid = %s, write_date = %s",
                    self.env.uid,
                    fields.Datetime.now(),
                )
            )
        orm_values = {}
        stored_names = []
        for name in names:
            field = self._fields[name]
            if not (field.store and field.column_type) or field.type == "binary":
                orm_values[name] = False
                continue
            stored_names.append(name)
            value = (
                label
                if field_modes[name] == ANONYMISE_LABEL
                and field.type in TEXT_FIELD_TYPES
                else False
                if field.type == "boolean"
                else None
            )
            if value and field.translate:
                value = SQL("jsonb_build_object('en_US', %s::text)", value)
            assignments.append(SQL("%s = %s", SQL.identifier(name), value))
        if stored_names:
            self.flush_recordset(stored_names)
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s WHERE id = ANY(%s)",
                    SQL.identifier(self._table),
                    SQL(", ").join(assignments),
                    self.ids,
                )
            )
            self.invalidate_recordset(
                [*stored_names, "write_uid", "write_date"]
                if self._log_access
                else stored_names
            )
            self.modified(stored_names)
        if orm_values:
            self.write(orm_values)
