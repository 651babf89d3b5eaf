from collections import defaultdict

from odoo import fields, models
from odoo.tools import SQL


class ResPartner(models.Model):
    """The whole hierarchy of a corporate customer at once: its sites, accounts
    and services, counted and listed set-based."""

    _inherit = "res.partner"

    telecom_b2b_site_count = fields.Integer(
        string="Companies and Sites Below",
        compute="_compute_telecom_b2b_hierarchy_figures",
    )
    telecom_b2b_account_count = fields.Integer(
        string="Accounts of the Hierarchy",
        compute="_compute_telecom_b2b_hierarchy_figures",
    )
    telecom_b2b_service_count = fields.Integer(
        string="Services of the Hierarchy",
        compute="_compute_telecom_b2b_hierarchy_figures",
    )
    telecom_b2b_active_service_count = fields.Integer(
        string="Active Services of the Hierarchy",
        compute="_compute_telecom_b2b_hierarchy_figures",
    )
    telecom_b2b_contract_count = fields.Integer(
        string="Contracts of the Hierarchy",
        compute="_compute_telecom_b2b_hierarchy_figures",
    )

    def _telecom_b2b_descendants(self):
        """{partner id: ids of the partner and of every partner below it}, in one
        recursive query whatever the size and depth of the hierarchies."""
        if not self.ids:
            return {}
        self.env["res.partner"].flush_model(["parent_id"])
        self.env.cr.execute(
            SQL(
                """WITH RECURSIVE tree(root_id, partner_id) AS (
                       SELECT id, id FROM res_partner WHERE id IN %s
                       UNION
                       SELECT tree.root_id, child.id
                         FROM res_partner child
                         JOIN tree ON child.parent_id = tree.partner_id
                   )
                   SELECT root_id, array_agg(partner_id) FROM tree GROUP BY root_id""",
                tuple(self.ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _compute_telecom_b2b_hierarchy_figures(self):
        descendants = self._telecom_b2b_descendants()
        all_ids = list({pid for ids in descendants.values() for pid in ids})
        # the figures count what the user may see (zones, companies)
        company_ids = set(
            self.search([("id", "in", all_ids), ("is_company", "=", True)]).ids
        )
        accounts = self._telecom_b2b_count_by_partner("telecom.account", all_ids)
        contracts = self._telecom_b2b_count_by_partner("telecom.b2b.contract", all_ids)
        services = defaultdict(int)
        active_services = defaultdict(int)
        for partner, state, count in self.env["telecom.service"]._read_group(
            [("partner_id", "in", all_ids)], ["partner_id", "state"], ["__count"]
        ):
            services[partner.id] += count
            if state == "active":
                active_services[partner.id] += count
        for partner in self:
            members = set(descendants.get(partner.id, [partner.id]))
            partner.telecom_b2b_site_count = len((members - {partner.id}) & company_ids)
            partner.telecom_b2b_account_count = sum(accounts[pid] for pid in members)
            partner.telecom_b2b_contract_count = sum(contracts[pid] for pid in members)
            partner.telecom_b2b_service_count = sum(services[pid] for pid in members)
            partner.telecom_b2b_active_service_count = sum(
                active_services[pid] for pid in members
            )

    def _telecom_b2b_count_by_partner(self, model, partner_ids):
        """{partner id: number of ``model`` records of that partner}."""
        counts = defaultdict(int)
        for partner, count in self.env[model]._read_group(
            [("partner_id", "in", partner_ids)], ["partner_id"], ["__count"]
        ):
            counts[partner.id] = count
        return counts

    def action_telecom_b2b_view_services(self):
        """The services of every site of the customer on one list, by site."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_service_action"
        )
        action["name"] = self.env._("Services of %s", self.display_name)
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"group_by": ["partner_id"]}
        return action

    def action_telecom_b2b_view_accounts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_subscriber.telecom_account_action"
        )
        action["name"] = self.env._("Accounts of %s", self.display_name)
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"group_by": ["partner_id"]}
        return action

    def action_telecom_b2b_view_contracts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_b2b_partner.telecom_b2b_contract_action"
        )
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
