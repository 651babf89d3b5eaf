from odoo import api, fields, models

from ..tools.personal_data import (
    PERSONAL_DATA_CATEGORIES,
    PERSONAL_DATA_LEGAL_BASES,
    PERSONAL_DATA_PURPOSES,
    PERSONAL_DATA_STORAGES,
)

LOCATION_PARAMETER = "telecom_subscriber.personal_data_country"


class TelecomPersonalDataRegister(models.Model):
    """The processing register (реестр обработки ПДн): one row per personal
    field of every installed model inheriting ``telecom.personal.data.mixin``,
    built from their declarations: what, why, on which ground, where, who may
    read it and how long it is kept.

    Rows are derived from the code: regenerated when the addon is installed or
    updated and each time the register is opened (:meth:`action_open_register`),
    never edited by hand.
    """

    _name = "telecom.personal.data.register"
    _description = "Personal Data Processing Register"
    _order = "model, field_name"
    _rec_name = "field_description"

    model_id = fields.Many2one(
        "ir.model", string="Data Set", required=True, ondelete="cascade", index=True
    )
    model = fields.Char(required=True, index=True)
    field_id = fields.Many2one("ir.model.fields", required=True, ondelete="cascade")
    field_name = fields.Char(string="Technical Name", required=True)
    field_description = fields.Char(
        string="Personal Data", related="field_id.field_description"
    )
    category = fields.Selection(PERSONAL_DATA_CATEGORIES, required=True)
    purpose = fields.Selection(PERSONAL_DATA_PURPOSES, required=True)
    legal_basis = fields.Selection(PERSONAL_DATA_LEGAL_BASES, required=True)
    storage = fields.Selection(PERSONAL_DATA_STORAGES, required=True)
    storage_location = fields.Char(
        string="Location", compute="_compute_storage_location"
    )
    group_ids = fields.Many2many("res.groups", string="Who May Read It")
    retention_category = fields.Selection(
        PERSONAL_DATA_CATEGORIES,
        string="Retention Follows",
        required=True,
    )
    retention_rule = fields.Char(string="Retention", compute="_compute_retention_rule")
    audited = fields.Boolean(
        string="Reads Journaled",
        help="Every read, change and export by a user is written to the "
        "personal data audit log.",
    )
    subject_field = fields.Char(
        string="Subscriber Link",
        help="Field leading to the subscriber the data is about; empty: the "
        "retention policies cannot reach it.",
    )
    signature = fields.Char(readonly=True)

    _sql_constraints = [
        ("model_field_uniq", "unique(model, field_name)", "One row per field.")
    ]

    @api.depends("storage")
    def _compute_storage_location(self):
        code = (
            self.env["ir.config_parameter"].sudo().get_param(LOCATION_PARAMETER, "RU")
        )
        country = self.env["res.country"].search([("code", "=", code)], limit=1)
        for row in self:
            row.storage_location = (
                self.env._("External billing system")
                if row.storage == "billing"
                else self.env._(
                    "This deployment, %(country)s", country=country.name or code
                )
            )

    @api.depends("retention_category")
    def _compute_retention_rule(self):
        policies = {
            policy.category: policy
            for policy in self.env["telecom.retention.policy"].search(
                [("company_id", "=", self.env.company.id)]
            )
        }
        actions = dict(
            self.env["telecom.retention.policy"]
            ._fields["action"]
            ._description_selection(self.env)
        )
        for row in self:
            policy = policies.get(row.retention_category)
            row.retention_rule = (
                self.env._(
                    "%(years)s years after the contract ends, then %(action)s",
                    years=policy.years,
                    action=actions[policy.action].lower(),
                )
                if policy
                else self.env._("No policy: kept")
            )

    def action_open_register(self):
        """Regenerate the register from the declarations and open it."""
        self.check_access("read")
        self._sync_from_declarations()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_personal_data_register_action"
        )

    @api.model
    def _sync_from_declarations(self):
        """Make the rows equal the declarations: create, update and delete only
        what changed (nothing when no addon changed)."""
        # sudo: the register is derived from the code; its readers cannot write it
        register = self.sudo()
        entries = self.env["telecom.personal.data.mixin"]._telecom_register_entries()
        rows = {(row.model, row.field_name): row for row in register.search([])}
        groups = self._groups_by_xmlid(
            {xmlid for entry in entries for xmlid in entry.access_groups}
        )
        to_create = []
        for entry in entries:
            vals = self._prepare_register_vals(entry, groups)
            row = rows.pop((entry.model, entry.field), None)
            if not row:
                to_create.append(vals)
            elif row.signature != vals["signature"]:
                row.write(vals)
        register.browse([row.id for row in rows.values()]).unlink()
        register.create(to_create)
        return True

    @api.model
    def _prepare_register_vals(self, entry, groups):
        field = self.env["ir.model.fields"]._get(entry.model, entry.field)
        return {
            "model_id": field.model_id.id,
            "model": entry.model,
            "field_id": field.id,
            "field_name": entry.field,
            "category": entry.category,
            "purpose": entry.purpose,
            "legal_basis": entry.legal_basis,
            "storage": entry.storage,
            "group_ids": [
                fields.Command.set(
                    [groups[xmlid] for xmlid in entry.access_groups if xmlid in groups]
                )
            ],
            "retention_category": entry.retention,
            "audited": entry.audited,
            "subject_field": entry.subject_field or False,
            "signature": repr(tuple(entry)),
        }

    @api.model
    def _groups_by_xmlid(self, xmlids):
        groups = {}
        for xmlid in xmlids:
            group = self.env.ref(xmlid, raise_if_not_found=False)
            if group and group._name == "res.groups":
                groups[xmlid] = group.id
        return groups
