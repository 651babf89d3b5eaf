from odoo import fields, models


class CrmTeam(models.Model):
    """Sales teams serve zones: a lead an agent brings goes to the team of its
    zone."""

    _inherit = "crm.team"

    telecom_region_ids = fields.Many2many(
        "telecom.region",
        "telecom_crm_team_region_rel",
        "team_id",
        "region_id",
        string="Zones",
        help="Zones this team sells in (and the zones below them). The leads "
        "agents and dealers submit from the portal for these zones come to "
        "this team.",
    )

    def _telecom_get_team_for_region(self, region):
        """The team of ``region`` or of its nearest parent zone (empty when no
        team serves it), among the teams of the current company."""
        if not region:
            return self.browse()
        ancestor_ids = [int(part) for part in region.parent_path.split("/") if part]
        teams = self.search(
            [
                ("telecom_region_ids", "in", ancestor_ids),
                ("company_id", "in", [False, self.env.company.id]),
            ]
        )
        for region_id in reversed(ancestor_ids):  # the nearest zone first
            team = teams.filtered(
                lambda t, rid=region_id: rid in t.telecom_region_ids.ids
            )
            if team:
                return team[:1]
        return self.browse()
