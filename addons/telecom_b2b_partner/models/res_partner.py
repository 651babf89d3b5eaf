from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.tax_ids import inn_problem, is_valid_kpp, normalize_tax_id

B2B_LEVELS = [
    ("holding", "Holding"),
    ("legal_entity", "Legal Entity"),
    ("branch", "Branch / Site"),
]


class ResPartner(models.Model):
    """Corporate customers: holding → legal entities → branches and sites, their
    Russian tax identifiers, key account manager and contact persons' roles."""

    _inherit = "res.partner"

    telecom_b2b_level = fields.Selection(
        B2B_LEVELS,
        string="Corporate Level",
        index="btree_not_null",
        help="Place of the company in its corporate customer's hierarchy: a holding "
        "groups legal entities, a legal entity has branches and sites.",
    )
    telecom_inn = fields.Char(
        string="INN",
        compute="_compute_telecom_inn",
        recursive=True,
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="Taxpayer number: 10 digits for a legal entity, 12 for an individual "
        "entrepreneur. A branch has the INN of its legal entity.",
    )
    telecom_kpp = fields.Char(
        string="KPP",
        tracking=True,
        help="Tax registration reason code (9 characters) of the legal entity or "
        "of its branch.",
    )
    telecom_key_account_manager_id = fields.Many2one(
        "res.users",
        string="Key Account Manager",
        compute="_compute_telecom_key_account_manager_id",
        recursive=True,
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        help="Salesperson in charge of the corporate customer; the sites and legal "
        "entities below take the one of the company above them.",
    )
    telecom_b2b_contact_role_ids = fields.Many2many(
        "telecom.b2b.contact.role",
        "telecom_b2b_contact_role_res_partner_rel",
        "partner_id",
        "role_id",
        string="Contact Roles",
    )
    telecom_b2b_company_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Legal Entities and Sites",
        domain=[("is_company", "=", True)],
    )
    telecom_b2b_person_ids = fields.One2many(
        "res.partner",
        "parent_id",
        string="Contact Persons",
        domain=[("is_company", "=", False)],
    )
    telecom_b2b_contract_ids = fields.One2many(
        "telecom.b2b.contract", "partner_id", string="B2B Contracts"
    )

    @api.depends("parent_id.telecom_inn", "telecom_b2b_level")
    def _compute_telecom_inn(self):
        for partner in self:
            if partner.telecom_b2b_level == "branch" and partner.parent_id.telecom_inn:
                partner.telecom_inn = partner.parent_id.telecom_inn

    @api.depends("parent_id.telecom_key_account_manager_id")
    def _compute_telecom_key_account_manager_id(self):
        for partner in self:
            if partner.parent_id and not partner.telecom_key_account_manager_id:
                partner.telecom_key_account_manager_id = (
                    partner.parent_id.telecom_key_account_manager_id
                )

    @api.constrains("telecom_inn", "telecom_kpp")
    def _check_telecom_tax_ids(self):
        for partner in self:
            partner._check_telecom_inn()
            partner._check_telecom_kpp()
        self._check_telecom_tax_ids_unique()

    def _check_telecom_inn(self):
        self.ensure_one()
        problem = self.telecom_inn and inn_problem(self.telecom_inn)
        if problem == "format":
            raise ValidationError(
                self.env._(
                    "The INN %(inn)s of %(partner)s must have 10 digits (a legal "
                    "entity) or 12 digits (an individual entrepreneur), digits only.",
                    inn=self.telecom_inn,
                    partner=self.display_name,
                )
            )
        if problem == "checksum":
            raise ValidationError(
                self.env._(
                    "The INN %(inn)s of %(partner)s is not valid: its check digits "
                    "do not match. Check it against the tax registration "
                    "certificate.",
                    inn=self.telecom_inn,
                    partner=self.display_name,
                )
            )

    def _check_telecom_kpp(self):
        self.ensure_one()
        if not self.telecom_kpp:
            return
        if not is_valid_kpp(self.telecom_kpp):
            raise ValidationError(
                self.env._(
                    "The KPP %(kpp)s of %(partner)s must have 9 characters: 4 digits "
                    "of the tax office, 2 digits or capital Latin letters of the "
                    "reason, 3 digits.",
                    kpp=self.telecom_kpp,
                    partner=self.display_name,
                )
            )
        if self.telecom_inn and len(self.telecom_inn) == 12:
            raise ValidationError(
                self.env._(
                    "%(partner)s has a 12-digit INN (an individual entrepreneur), "
                    "who has no KPP: leave the KPP empty.",
                    partner=self.display_name,
                )
            )

    def _check_telecom_tax_ids_unique(self):
        """One company per INN and KPP pair (branches share the INN of their
        legal entity, each with its own KPP)."""
        companies = self.filtered(lambda p: p.is_company and p.telecom_inn)
        if not companies:
            return
        others = self.search(
            [
                ("is_company", "=", True),
                ("telecom_inn", "in", companies.mapped("telecom_inn")),
                ("id", "not in", companies.ids),
            ]
        )
        seen = {(p.telecom_inn, p.telecom_kpp or False): p for p in others}
        for partner in companies:
            key = (partner.telecom_inn, partner.telecom_kpp or False)
            if key in seen:
                raise ValidationError(
                    self.env._(
                        "%(partner)s and %(other)s have the same INN %(inn)s and "
                        "KPP %(kpp)s: a branch has the INN of its legal entity "
                        "and a KPP of its own.",
                        partner=partner.display_name,
                        other=seen[key].display_name,
                        inn=partner.telecom_inn,
                        kpp=partner.telecom_kpp or "-",
                    )
                )
            seen[key] = partner

    @api.constrains("telecom_b2b_level", "parent_id")
    def _check_telecom_b2b_level(self):
        for partner in self.filtered("telecom_b2b_level"):
            if not partner.is_company:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is a person: only companies take a place in a "
                        "corporate hierarchy.",
                        partner=partner.display_name,
                    )
                )
            if partner.telecom_b2b_level == "branch" and not partner.parent_id:
                raise ValidationError(
                    self.env._(
                        "The branch %(partner)s needs the legal entity it belongs "
                        "to (Related Company).",
                        partner=partner.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._telecom_normalize_tax_ids(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._telecom_normalize_tax_ids(vals)
        if "telecom_key_account_manager_id" not in vals or self.env.context.get(
            "telecom_b2b_no_manager_cascade"
        ):
            return super().write(vals)
        previous = {p.id: p.telecom_key_account_manager_id.id for p in self}
        result = super().write(vals)
        self._telecom_cascade_key_account_manager(previous)
        return result

    def _telecom_cascade_key_account_manager(self, previous):
        """The companies and people below a partner whose key account manager
        changed follow it when they had its previous manager (those with a
        manager of their own keep theirs)."""
        trees = self._telecom_b2b_descendants()
        old_of, new_of = {}, {}
        for partner in self:
            old, new = previous[partner.id], partner.telecom_key_account_manager_id.id
            if old and old != new:
                for below_id in set(trees.get(partner.id, [])) - {partner.id}:
                    old_of[below_id], new_of[below_id] = old, new
        followers = defaultdict(list)
        for below in self.browse(list(old_of)):
            if below.telecom_key_account_manager_id.id == old_of[below.id]:
                followers[new_of[below.id]].append(below.id)
        for new, ids in followers.items():
            self.browse(ids).with_context(telecom_b2b_no_manager_cascade=True).write(
                {"telecom_key_account_manager_id": new}
            )

    @api.model
    def _telecom_normalize_tax_ids(self, vals):
        for field_name in ("telecom_inn", "telecom_kpp"):
            if vals.get(field_name):
                vals[field_name] = normalize_tax_id(vals[field_name])
