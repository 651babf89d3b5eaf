from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.personal_data import (
    DEFAULT_RETENTION,
    PERSONAL_DATA_CATEGORIES,
    RETENTION_ACTIONS,
)


class TelecomRetentionPolicy(models.Model):
    """How long a category of personal data is kept after the subscriber's last
    contract ended, and what happens then (152-FZ art. 5 p. 7: no longer than
    the purpose requires), per company.

    A subscriber whose services are all terminated is processed for a category
    once the years of the policy have passed since the last termination; a
    subscriber with accounts in several companies follows the longest period,
    and nothing when one of those companies has no active policy.
    """

    _name = "telecom.retention.policy"
    _description = "Personal Data Retention Policy"
    _order = "company_id, category"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    category = fields.Selection(PERSONAL_DATA_CATEGORIES, required=True)
    years = fields.Integer(
        string="Years After Contract End",
        required=True,
        default=3,
        help="Counted from the termination of the subscriber's last service.",
    )
    action = fields.Selection(
        RETENTION_ACTIONS,
        required=True,
        default="anonymise",
        help="Anonymise: the values are replaced by neutral ones, the records stay "
        "for statistics. Delete: the records are deleted (the subscriber's own "
        "record is anonymised). Keep: nothing is done.",
    )
    legal_minimum_years = fields.Integer(
        string="Legal Minimum (Years)",
        readonly=True,
        help="Period a law obliges the operator to keep this data (communication "
        "records: 126-FZ art. 64; accounting: 402-FZ art. 29).",
    )
    active = fields.Boolean(default=True)
    note = fields.Text()

    _sql_constraints = [
        (
            "company_category_uniq",
            "EXCLUDE (company_id WITH =, category WITH =) WHERE (active)",
            "A company has one active retention policy per data category.",
        ),
        ("years_positive", "CHECK (years >= 0)", "The period cannot be negative."),
    ]

    @api.depends("category", "years", "action")
    def _compute_display_name(self):
        categories = dict(self._fields["category"]._description_selection(self.env))
        for policy in self:
            policy.display_name = self.env._(
                "%(category)s: %(years)s years",
                category=categories.get(policy.category, ""),
                years=policy.years,
            )

    @api.constrains("years", "legal_minimum_years")
    def _check_legal_minimum(self):
        for policy in self:
            if policy.years < policy.legal_minimum_years:
                raise ValidationError(
                    self.env._(
                        "The law obliges to keep this data %(minimum)s years: the "
                        "period cannot be shorter.",
                        minimum=policy.legal_minimum_years,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.setdefault(
                "legal_minimum_years",
                DEFAULT_RETENTION.get(vals.get("category"), (0, 0, 0))[2],
            )
        return super().create(vals_list)

    @api.model
    def _create_default_policies(self, companies=None):
        """Create the default policies a company misses (on install, for a new
        company); the periods are those of ``DEFAULT_RETENTION``."""
        companies = companies or self.env["res.company"].search([])
        existing = {
            (policy.company_id.id, policy.category)
            for policy in self.with_context(active_test=False).search(
                [("company_id", "in", companies.ids)]
            )
        }
        return self.create(
            [
                {
                    "company_id": company.id,
                    "category": category,
                    "years": years,
                    "action": action,
                    "legal_minimum_years": minimum,
                }
                for company in companies
                for category, (years, action, minimum) in DEFAULT_RETENTION.items()
                if (company.id, category) not in existing
            ]
        )

    def action_create_default_policies(self):
        """Button of the list: the missing defaults of the user's companies."""
        self.check_access("create")
        self._create_default_policies(self.env.companies)
        return {"type": "ir.actions.client", "tag": "reload"}
