from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools.tax_ids import normalize_tax_id

MANAGER_GROUP = "telecom_b2b_partner.telecom_b2b_partner_group_manager"
CONFLICT_STATES = [
    ("open", "Conflict to Decide"),
    ("lost", "Lost to Another Partner"),
    ("won", "Customer Kept"),
]
# fields whose change may make a partner-channel lead conflict with another one
CONFLICT_TRIGGERS = {
    "telecom_b2b_channel",
    "telecom_b2b_referrer_id",
    "partner_id",
    "telecom_inn",
}
CONFLICT_FIELDS = {"telecom_b2b_conflict_state", "telecom_b2b_conflict_lead_id"}


class CrmLead(models.Model):
    """Channel conflicts: the same customer (same company, or same INN) brought
    by two dealers or agents. Within the company's protection window, the
    later registration is flagged against the first one and, by the company's
    rule, loses at once or waits for a manager; a manager may give the
    customer to the later partner. Deals lost or waiting earn no commission."""

    _inherit = "crm.lead"

    telecom_inn = fields.Char(
        string="Customer INN",
        compute="_compute_telecom_inn",
        store=True,
        readonly=False,
        index="btree_not_null",
        help="Taxpayer number of the customer; it identifies the customer when "
        "a partner registers a company that is not in the system yet.",
    )
    telecom_b2b_conflict_lead_id = fields.Many2one(
        "crm.lead",
        string="Conflicting Registration",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The other partner's registration of the same customer.",
    )
    telecom_b2b_conflict_state = fields.Selection(
        CONFLICT_STATES,
        string="Channel Conflict",
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
    )

    @api.depends("partner_id.commercial_partner_id.telecom_inn")
    def _compute_telecom_inn(self):
        for lead in self:
            inn = lead.partner_id.commercial_partner_id.telecom_inn
            if inn:
                lead.telecom_inn = inn

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("telecom_inn"):
                vals["telecom_inn"] = normalize_tax_id(vals["telecom_inn"])
        leads = super().create(vals_list)
        leads._telecom_b2b_detect_conflicts()
        return leads

    def write(self, vals):
        if CONFLICT_FIELDS & set(vals) and not self.env.context.get(
            "telecom_b2b_conflict_update"
        ):
            self._telecom_b2b_check_conflict_manager()
        if vals.get("telecom_inn"):
            vals["telecom_inn"] = normalize_tax_id(vals["telecom_inn"])
        result = super().write(vals)
        if CONFLICT_TRIGGERS & set(vals):
            self._telecom_b2b_detect_conflicts()
        return result

    # ------------------------------------------------------------------
    # actions (B2B sales managers)
    # ------------------------------------------------------------------
    def action_telecom_b2b_keep_first(self):
        """The first registration keeps the customer; this one loses."""
        self._telecom_b2b_check_conflict_manager()
        self._telecom_b2b_check_in_conflict()
        self._telecom_b2b_set_conflict_state("lost")
        self.telecom_b2b_conflict_lead_id._telecom_b2b_set_conflict_state("won")
        return True

    def action_telecom_b2b_reassign(self):
        """This later registration gets the customer; the first one loses."""
        self._telecom_b2b_check_conflict_manager()
        self._telecom_b2b_check_in_conflict()
        for lead in self:
            first = lead.telecom_b2b_conflict_lead_id
            first.with_context(telecom_b2b_conflict_update=True).write(
                {
                    "telecom_b2b_conflict_state": "lost",
                    "telecom_b2b_conflict_lead_id": lead.id,
                }
            )
        self._telecom_b2b_set_conflict_state("won")
        return True

    def _telecom_b2b_set_conflict_state(self, state):
        self.with_context(telecom_b2b_conflict_update=True).write(
            {"telecom_b2b_conflict_state": state}
        )

    def _telecom_b2b_check_conflict_manager(self):
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(
                self.env._("Only a B2B sales manager resolves channel conflicts.")
            )

    def _telecom_b2b_check_in_conflict(self):
        undecided = self.filtered(
            lambda lead: (
                not lead.telecom_b2b_conflict_lead_id
                or lead.telecom_b2b_conflict_state == "won"
            )
        )
        if undecided:
            raise UserError(
                self.env._(
                    "%(leads)s is not a later registration in a channel conflict.",
                    leads=", ".join(undecided.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # detection
    # ------------------------------------------------------------------
    def _telecom_b2b_detect_conflicts(self):
        """Flag the partner-channel leads of ``self`` registered after another
        partner's lead of the same customer within the protection window.
        One search for the whole batch."""
        candidates = self.filtered(
            lambda lead: (
                lead.telecom_b2b_channel == "partner"
                and lead.telecom_b2b_referrer_id
                and not lead.telecom_b2b_conflict_lead_id
                and (lead.partner_id or lead.telecom_inn)
                and lead._telecom_b2b_company().telecom_b2b_protection_days
            )
        )
        if not candidates:
            return
        earlier = self._telecom_b2b_find_earlier_registrations(candidates)
        by_rule = {}
        for lead in candidates:
            first = earlier.get(lead.id)
            if first:
                rule = lead._telecom_b2b_company().telecom_b2b_conflict_rule
                state = "lost" if rule == "first_registered" else "open"
                by_rule.setdefault((first, state), self.browse())
                by_rule[(first, state)] |= lead
        for (first, state), leads in by_rule.items():
            # sudo: a partner's user flags its own lead against a lead of
            # another partner it may not read; only these two ids are written
            leads.sudo().with_context(telecom_b2b_conflict_update=True).write(
                {
                    "telecom_b2b_conflict_state": state,
                    "telecom_b2b_conflict_lead_id": first,
                }
            )

    def _telecom_b2b_company(self):
        """The company whose protection window and rule apply to the lead (a
        lead without a company, as a portal user may make, takes the current
        one)."""
        self.ensure_one()
        return self.company_id or self.env.company

    def _telecom_b2b_find_earlier_registrations(self, candidates):
        """{lead id: id of the first lead of another partner for the same
        customer, registered within the window before it}."""
        # sudo: the leads of other partners are compared, never shown
        Lead = self.sudo().with_context(active_test=False)
        oldest = min(candidates.mapped("create_date"))
        window = max(
            lead._telecom_b2b_company().telecom_b2b_protection_days
            for lead in candidates
        )
        customers = candidates.partner_id.commercial_partner_id
        inns = [inn for inn in candidates.mapped("telecom_inn") if inn]
        customer_domain = (
            [("partner_id", "child_of", customers.ids)] if customers else []
        )
        if inns:
            customer_domain = (
                (["|"] if customer_domain else [])
                + customer_domain
                + [("telecom_inn", "in", inns)]
            )
        others = Lead.search(
            [
                ("telecom_b2b_channel", "=", "partner"),
                ("telecom_b2b_referrer_id", "!=", False),
                ("id", "not in", candidates.ids),
                ("create_date", ">=", oldest - timedelta(days=window)),
                ("telecom_b2b_conflict_state", "in", (False, "won")),
                *customer_domain,
            ],
            order="create_date, id",
        )
        result = {}
        for lead in candidates:
            company = lead._telecom_b2b_company()
            since = lead.create_date - timedelta(
                days=company.telecom_b2b_protection_days
            )
            agent = lead.telecom_b2b_referrer_id.commercial_partner_id
            customer = lead.partner_id.commercial_partner_id
            for other in others:
                if (
                    other.create_date >= since
                    and (other.create_date, other.id) < (lead.create_date, lead.id)
                    and other._telecom_b2b_company() == company
                    and other.telecom_b2b_referrer_id.commercial_partner_id != agent
                    and (
                        (
                            customer
                            and other.partner_id.commercial_partner_id == customer
                        )
                        or (lead.telecom_inn and other.telecom_inn == lead.telecom_inn)
                    )
                ):
                    result[lead.id] = other.id
                    break
        return result
