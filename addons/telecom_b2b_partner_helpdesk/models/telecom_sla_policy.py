from odoo import api, fields, models

IN_FORCE = ("active", "expiring")


class TelecomSlaPolicy(models.Model):
    """Contract SLA terms first: a ticket of a customer whose contract in force
    has a term for the ticket's priority gets that term's policy, whatever the
    general policies say; the other tickets are matched as before."""

    _inherit = "telecom.sla.policy"

    b2b_contract_sla_id = fields.Many2one(
        "telecom.b2b.contract.sla",
        string="Contract SLA Term",
        readonly=True,
        index="btree_not_null",
        ondelete="cascade",
        help="The policy runs this SLA term of a B2B contract: it applies only to "
        "the tickets of the customer the contract covers.",
    )
    b2b_contract_id = fields.Many2one(
        related="b2b_contract_sla_id.contract_id", string="B2B Contract"
    )

    @api.model
    def _get_policy_domain(self, companies):
        # the contract policies are not general policies: see _match
        return super()._get_policy_domain(companies) + [
            ("b2b_contract_sla_id", "=", False)
        ]

    @api.model
    def _match(self, tickets):
        result = super()._match(tickets)
        result.update(self._match_contract_terms(tickets))
        return result

    @api.model
    def _prepare_match_values(self, ticket):
        values = super()._prepare_match_values(ticket)
        policy = ticket.sla_policy_id
        values["b2b_contract_policy_id"] = (
            policy.id if policy.b2b_contract_sla_id else False
        )
        return values

    def _failed_conditions(self, values):
        """A contract's policy matches only the tickets its contract gave it
        (explanations list it as not matching the others)."""
        failed = super()._failed_conditions(values)
        if self.b2b_contract_sla_id and values.get("b2b_contract_policy_id") != self.id:
            failed.append("b2b_contract")
        return failed

    @api.model
    def _match_contract_terms(self, tickets):
        """{ticket: policy of its contract's term} for the tickets a contract
        in force covers with a term for their priority, set-based: one search
        for the contracts of the tickets' customers, one recursive query for
        what they cover."""
        customers = tickets.partner_id.commercial_partner_id
        if not customers:
            return {}
        # sudo: the contract of the customer decides the SLA of a ticket whoever
        # files it (service desk agents have no B2B rights); only the contracts
        # above the tickets' customers are read
        contracts = (
            self.env["telecom.b2b.contract"]
            .sudo()
            .search(self._get_contract_domain(customers), order="date_start, id")
        )
        covered = contracts._get_covered_partner_ids()
        terms = {
            (partner_id, term.priority): term
            for contract in contracts  # later contracts win
            for term in contract.sla_ids.filtered("sla_policy_id")
            for partner_id in covered[contract.id]
        }
        result = {}
        for ticket in tickets:
            term = terms.get(
                (ticket.partner_id.commercial_partner_id.id, ticket.priority)
            )
            if term:
                result[ticket] = term.sla_policy_id.with_env(self.env)
        return result

    @api.model
    def _get_contract_domain(self, customers):
        """Contracts in force that may cover ``customers`` (hook)."""
        return [
            ("state", "in", IN_FORCE),
            ("partner_id", "parent_of", customers.ids),
            ("sla_ids", "!=", False),
        ]
