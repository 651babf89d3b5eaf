from odoo import Command, api, fields, models

TARGET_HOURS = {
    "first_response": "first_response_hours",
    "update": "update_hours",
    "resolution": "resolution_hours",
}


class TelecomB2bContractSla(models.Model):
    """Each SLA term of a contract runs as an SLA policy of the service desk,
    kept in step with the term: the engine computes its deadlines like any
    other policy's."""

    _inherit = "telecom.b2b.contract.sla"

    sla_policy_id = fields.Many2one(
        "telecom.sla.policy",
        string="SLA Policy",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )
    credit_percent = fields.Float(
        string="Credit per Breach (%)",
        help="Service credit per ticket of this priority whose SLA is breached, "
        "in % of the contract's monthly fee.",
    )

    _sql_constraints = [
        (
            "credit_percent_positive",
            "CHECK(credit_percent >= 0)",
            "The credit per breach cannot be negative.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        terms = super().create(vals_list)
        terms._sync_sla_policies()
        return terms

    def write(self, vals):
        result = super().write(vals)
        if {"priority", "calendar_id", *TARGET_HOURS.values()} & set(vals):
            self._sync_sla_policies()
        return result

    def unlink(self):
        policies = self.sla_policy_id
        result = super().unlink()
        # sudo: the policy belongs to the term the user may delete
        policies.sudo().unlink()
        return result

    def _sync_sla_policies(self):
        """Create or update the policy of each term, its targets included."""
        # sudo: the policy mirrors the contract term the user may edit; B2B
        # sellers do not configure the service desk's policies otherwise
        Policy = self.env["telecom.sla.policy"].sudo()
        priorities = {
            priority.code: priority
            for priority in self.env["telecom.ticket.priority"].sudo().search([])
        }
        for term in self.filtered("sla_policy_id"):
            term.sla_policy_id.sudo().write(term._prepare_sla_policy_vals(priorities))
        new_terms = self.filtered(lambda t: not t.sla_policy_id)
        policies = Policy.create(
            [term._prepare_sla_policy_vals(priorities) for term in new_terms]
        )
        for term, policy in zip(new_terms, policies, strict=True):
            term.sla_policy_id = policy

    def _prepare_sla_policy_vals(self, priorities):
        self.ensure_one()
        priority_name = dict(self._fields["priority"]._description_selection(self.env))
        return {
            "name": f"{self.contract_id.name} - {priority_name[self.priority]}",
            "company_id": self.company_id.id,
            "b2b_contract_sla_id": self.id,
            "sequence": 0,
            "priority_ids": [Command.set(priorities[self.priority].ids)],
            "calendar_id": self.calendar_id.id,
            "target_ids": self._prepare_sla_target_commands(),
        }

    def _prepare_sla_target_commands(self):
        """Targets of the policy as the term says, updated in place so that the
        open tickets of the policy follow the new hours."""
        self.ensure_one()
        existing = {target.kind: target for target in self.sla_policy_id.target_ids}
        commands = []
        for kind, field_name in TARGET_HOURS.items():
            hours, target = self[field_name], existing.get(kind)
            if target and hours:
                commands.append(Command.update(target.id, {"hours": hours}))
            elif target:
                commands.append(Command.delete(target.id))
            elif hours:
                commands.append(Command.create({"kind": kind, "hours": hours}))
        return commands
