import re

from odoo import api, fields, models

from ..tools.selections import ACCESS_TECHNOLOGIES, SERVICE_TYPES


def normalize_address(address):
    """An address as the coverage table compares it: lower case, single spaces."""
    return re.sub(r"\s+", " ", (address or "").strip()).lower()


class TelecomCoverageArea(models.Model):
    """Where a fixed service can be installed: an address prefix of a zone.

    The simple technical feasibility check of relocations: the longest prefix
    matching the new address says whether the service can be installed there,
    with which access technology and how many days the installation takes. An
    OSS connector replaces the check (``telecom.request._get_relocation_feasibility``).
    """

    _name = "telecom.coverage.area"
    _description = "Fixed Coverage Area"
    _order = "address_prefix"
    _rec_name = "address_prefix"
    _check_company_auto = True

    address_prefix = fields.Char(
        required=True,
        help="Beginning of the addresses covered, e.g. 'Moscow, Lenina st'. The "
        "longest prefix matching an address decides.",
    )
    region_id = fields.Many2one(
        "telecom.region",
        string="Zone",
        required=True,
        index=True,
        ondelete="restrict",
        help="Zone the relocated service belongs to.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Branch",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    service_type = fields.Selection(
        [item for item in SERVICE_TYPES if item[0] != "mobile"],
        help="Fixed service covered; empty: every fixed service.",
    )
    access_technology = fields.Selection(ACCESS_TECHNOLOGIES)
    is_feasible = fields.Boolean(
        string="Feasible",
        default=True,
        help="Untick for addresses known not to be covered (no free port, no "
        "building permission); the note says why.",
    )
    installation_lead_days = fields.Integer(
        string="Installation Lead Time (Days)",
        default=3,
        help="Days between the request and the earliest installation.",
    )
    note = fields.Char(help="Told to the subscriber when the area is not feasible.")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "lead_days_positive",
            "CHECK(installation_lead_days >= 0)",
            "The installation lead time cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._clean_prefix(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._clean_prefix(vals)
        return super().write(vals)

    def _clean_prefix(self, vals):
        if vals.get("address_prefix"):
            vals["address_prefix"] = re.sub(r"\s+", " ", vals["address_prefix"].strip())

    @api.model
    def _find_for_address(self, address, service_type, company):
        """The area of ``address`` (longest matching prefix) for ``service_type``.

        A plain table of prefixes, compared in Python (case folding of any
        alphabet, whatever the database's collation).
        """
        address = normalize_address(address)
        if not address:
            return self.browse()
        areas = self.search(
            [
                ("company_id", "=", company.id),
                ("service_type", "in", [False, service_type]),
            ]
        )
        matching = areas.filtered(
            lambda area: address.startswith(normalize_address(area.address_prefix))
        )
        return matching.sorted(
            lambda area: (len(area.address_prefix), bool(area.service_type)),
            reverse=True,
        )[:1]
