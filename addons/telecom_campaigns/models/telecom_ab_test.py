from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.ab_assignment import HOLDOUT, assign_many


class TelecomAbTest(models.Model):
    """An A/B test: variants with weights and a holdout control group.

    Each subscriber's group is a pure function of (test, subscriber) — see
    :mod:`..tools.ab_assignment` — so it is the same in every run and on every
    node, and nothing needs to be stored to keep it.
    """

    _name = "telecom.ab.test"
    _description = "A/B Test"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        default=lambda self: self.env.company,
        index=True,
    )
    segment_id = fields.Many2one(
        "telecom.segment", string="Target Segment", ondelete="restrict"
    )
    holdout_percent = fields.Float(
        string="Holdout (%)",
        default=10.0,
        tracking=True,
        help="Share of the target kept apart as control group: they get nothing.",
    )
    variant_ids = fields.One2many(
        "telecom.ab.variant", "test_id", string="Variants", copy=True
    )
    campaign_ids = fields.One2many("telecom.campaign", "ab_test_id", string="Campaigns")
    results_html = fields.Html(
        string="Results", compute="_compute_results_html", sanitize=False
    )

    def _compute_results_html(self):
        for test in self:
            launched = test.campaign_ids.filtered("launch_date")
            test.results_html = (
                Markup("").join(
                    Markup("<h4>%s</h4>%s")
                    % (campaign.name, campaign._render_results_html())
                    for campaign in launched
                )
                or False
            )

    @api.constrains("holdout_percent")
    def _check_holdout_percent(self):
        for test in self:
            if not 0 <= test.holdout_percent < 100:
                raise ValidationError(
                    self.env._(
                        "The holdout share must be at least 0 and below 100 percent."
                    )
                )

    def _assign(self, partner_ids):
        """``{partner_id: variant record or False for the holdout}``."""
        self.ensure_one()
        variants = self.variant_ids.sorted(
            lambda variant: (variant.sequence, variant.id)
        )
        if not variants:
            raise ValidationError(self.env._("Add at least one variant to the test."))
        by_id = {variant.id: variant for variant in variants}
        groups = assign_many(
            self.id,
            partner_ids,
            [(variant.id, variant.weight) for variant in variants],
            self.holdout_percent / 100.0,
        )
        return {
            partner_id: False if group == HOLDOUT else by_id[group]
            for partner_id, group in groups.items()
        }
