import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.base.models.res_partner import _tz_get

JURISDICTION_CODE = re.compile(r"[A-Z]{2}(-[A-Z0-9]{1,3})?")


class TelecomRegion(models.Model):
    """Zone of responsibility: region > city > district, each with a time zone.

    Operational records (accounts, services, requests, tickets) carry a region;
    record rules show an agent the regions assigned to them and everything below.
    """

    _name = "telecom.region"
    _description = "Telecom Region"
    _parent_name = "parent_id"
    _parent_store = True
    _rec_name = "complete_name"
    _order = "complete_name"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        index=True,
        help="Short code used by billing exports and imports.",
    )
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    level = fields.Selection(
        [("region", "Region"), ("city", "City"), ("district", "District")],
        required=True,
        default="region",
    )
    parent_id = fields.Many2one(
        "telecom.region",
        string="Parent Zone",
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many("telecom.region", "parent_id", string="Sub-zones")
    tz = fields.Selection(
        _tz_get,
        string="Time Zone",
        compute="_compute_tz",
        store=True,
        readonly=False,
        recursive=True,
        help="Local time of the zone; SLA calendars and notifications use it.",
    )
    jurisdiction = fields.Char(
        compute="_compute_jurisdiction",
        store=True,
        readonly=False,
        recursive=True,
        index=True,
        help="Country (ISO 3166 code: RU) or subdivision (RU-MOW) whose law governs "
        "the personal data of the zone's subscribers. Empty: the parent zone's, "
        "else the country of the zone's branch, else of the record's company.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        index=True,
        help="Branch operating this zone. Empty: shared by every branch.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "telecom_region_res_users_rel",
        "region_id",
        "user_id",
        string="Responsible Agents",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A zone code must be unique per branch.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for region in self:
            if region.parent_id:
                region.complete_name = (
                    f"{region.parent_id.complete_name} / {region.name}"
                )
            else:
                region.complete_name = region.name

    @api.depends("parent_id.tz")
    def _compute_tz(self):
        for region in self.filtered("parent_id"):
            region.tz = region.parent_id.tz

    @api.depends("parent_id.jurisdiction")
    def _compute_jurisdiction(self):
        for region in self.filtered("parent_id"):
            region.jurisdiction = region.parent_id.jurisdiction

    @api.constrains("jurisdiction")
    def _check_jurisdiction(self):
        for region in self.filtered("jurisdiction"):
            if not JURISDICTION_CODE.fullmatch(region.jurisdiction):
                raise ValidationError(
                    self.env._(
                        "The jurisdiction %(code)s of zone %(zone)s is not a country "
                        "code (RU) or a subdivision code (RU-MOW) in capitals.",
                        code=region.jurisdiction,
                        zone=region.display_name,
                    )
                )

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A zone cannot be inside itself."))

    @api.model_create_multi
    def create(self, vals_list):
        regions = super().create(vals_list)
        # a new zone may sit below a user's zone
        regions._clear_zone_rule_cache()
        return regions

    def write(self, vals):
        result = super().write(vals)
        if {"user_ids", "parent_id", "active"} & set(vals):
            self._clear_zone_rule_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self._clear_zone_rule_cache()
        return result

    def _clear_zone_rule_cache(self):
        # record rules read the zones of the user (res.users.telecom_region_ids, the
        # other side of user_ids) and every zone below them (ir.rule resolves
        # child_of once): drop their cached domains
        self.env.registry.clear_cache()

    @api.model
    def _get_by_codes(self, codes):
        """Map code -> region for the given codes in one query."""
        regions = self.search([("code", "in", list(codes))])
        return {region.code: region for region in regions}
