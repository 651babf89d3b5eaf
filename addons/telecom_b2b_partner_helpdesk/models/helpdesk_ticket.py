from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    telecom_b2b_site_id = fields.Many2one(
        "res.partner",
        string="Customer Site",
        compute="_compute_telecom_b2b_site_id",
        store=True,
        readonly=False,
        precompute=True,
        index="btree_not_null",
        ondelete="set null",
        domain="[('is_company', '=', True), ('telecom_b2b_level', '!=', False)]",
        help="Company or site of a corporate customer the ticket is about: the "
        "company of its service, else of its contact. On the portal, the contacts "
        "who see that site see the ticket.",
    )

    @api.depends("telecom_service_id.partner_id", "partner_id")
    def _compute_telecom_b2b_site_id(self):
        for ticket in self:
            company = (
                ticket.telecom_service_id.partner_id or ticket.partner_id
            ).commercial_partner_id
            ticket.telecom_b2b_site_id = company if company.telecom_b2b_level else False

    def _sla_explain_policy(self):
        """A contract's policy is explained by its contract, not by precedence."""
        explanation = super()._sla_explain_policy()
        contract = self.sla_policy_id.b2b_contract_id
        if contract:
            explanation["policy_reason"] = self.env._(
                "SLA terms of contract %(contract)s of %(customer)s, ahead of the "
                "general policies",
                contract=contract.name,
                customer=contract.partner_id.display_name,
            )
            explanation["skipped_policies"] = []
        return explanation

    def _sla_condition_label(self, name):
        if name == "b2b_contract":
            return self.env._("customer covered by the contract")
        return super()._sla_condition_label(name)
