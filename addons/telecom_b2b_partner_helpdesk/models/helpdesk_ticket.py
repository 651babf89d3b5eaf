from odoo import models


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

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
