from odoo import api, fields, models
from odoo.exceptions import UserError

from .telecom_sim import SWAPPED_SIM_STATES


class TelecomRequest(models.Model):
    """The inventory in the lifecycle: activations reserve and assign a pool
    number and a SIM card from stock, SIM swaps retire the old card, port-ins
    record the number apart (lines that end free theirs: ``telecom.service``).

    Numbers and cards unknown to the inventory are accepted as before (lines
    migrated from billing, cards of another system): only what the inventory
    holds is checked and moved.
    """

    _inherit = "telecom.request"

    number_id = fields.Many2one(
        "telecom.number",
        string="Number from Pool",
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
        domain="[('state', '=', 'free'), ('origin', '=', 'pool')]",
        help="A number chosen from the pool (golden numbers carry a price); "
        "left empty, submitting picks a free regular number of the zone.",
    )
    number_category = fields.Selection(related="number_id.category")
    number_price = fields.Monetary(
        related="number_id.price", currency_field="number_currency_id"
    )
    number_currency_id = fields.Many2one(
        related="number_id.currency_id", string="Number Currency"
    )
    number_reserved_until = fields.Datetime(related="number_id.reserved_until")

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._fill_msisdn_from_number(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._fill_msisdn_from_number(vals)
        return super().write(vals)

    def _fill_msisdn_from_number(self, vals):
        if vals.get("number_id") and not vals.get("msisdn"):
            vals["msisdn"] = self.env["telecom.number"].browse(vals["number_id"]).msisdn

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_pick_number(self):
        """Reserve a free regular number of the zone for this draft activation."""
        self.ensure_one()
        if self.state != "draft" or self.request_type != "activation":
            raise UserError(self.env._("Numbers are picked for draft activations."))
        self._pick_numbers()
        return True

    def action_submit(self):
        self.filtered(
            lambda request: (
                request.request_type == "activation"
                and request.new_service_type == "mobile"
                and not request.msisdn
            )
        )._pick_numbers()
        return super().action_submit()

    def _pick_numbers(self):
        Number = self.env["telecom.number"]
        for request in self:
            number = Number._pick_free(request.region_id, request.company_id)
            if not number:
                raise UserError(
                    self.env._(
                        "No free number left in zone %(zone)s.",
                        zone=request.region_id.display_name,
                    )
                )
            request.number_id._release()
            number._reserve(request)
            request.write({"number_id": number.id, "msisdn": number.msisdn})

    # ------------------------------------------------------------------
    # Lifecycle hooks
    # ------------------------------------------------------------------
    def _inventory_numbers(self):
        """The pool numbers of the requests' MSISDNs, by MSISDN."""
        numbers = (
            self.env["telecom.number"]
            .sudo()  # sudo: a number is unique across zones the agent may not see
            .search([("msisdn", "in", [msisdn for msisdn in self.mapped("msisdn")])])
        )
        return {number.msisdn: number for number in numbers}

    def _inventory_sims(self):
        sims = self.env["telecom.sim"]._find_by_iccid(self.mapped("iccid"))
        return {sim.iccid: sim for sim in sims}

    def _check_inventory_sims_in_stock(self):
        for sim in self._inventory_sims().values():
            sim._check_in_stock()

    def _assign_inventory_sims(self):
        sims = self._inventory_sims()
        for request in self.filtered(lambda request: request.iccid in sims):
            sims[request.iccid]._assign(request.service_id)

    def _check_submitted_activation(self):
        result = super()._check_submitted_activation()
        self._check_inventory_sims_in_stock()
        self._check_inventory_numbers_free()
        return result

    def _check_inventory_numbers_free(self):
        """The pool numbers asked for are free, or held by these requests."""
        numbers = self._inventory_numbers()
        for request in self:
            number = numbers.get(request.msisdn)
            if number and not (
                number.state == "free"
                or (number.state == "reserved" and number.request_id == request)
            ):
                raise UserError(
                    self.env._("Number %(number)s is not free.", number=number.msisdn)
                )

    def _hold_inventory_numbers(self):
        """The requests' pool numbers held by them, without expiry."""
        numbers = self._inventory_numbers()
        for request in self:
            number = numbers.get(request.msisdn)
            if number:
                # held by the request now: no expiry while it is processed
                number._reserve(request, expires=False)
                request.number_id = number

    def _on_submitted_activation(self):
        result = super()._on_submitted_activation()
        self._hold_inventory_numbers()
        return result

    def _on_done_activation(self):
        result = super()._on_done_activation()
        numbers = self._inventory_numbers()
        for request in self.filtered(lambda request: request.msisdn in numbers):
            numbers[request.msisdn]._assign(request.service_id)
        self._assign_inventory_sims()
        return result

    def _on_rejected_activation(self):
        result = super()._on_rejected_activation()
        self.number_id._release()
        return result

    def _on_cancelled_activation(self):
        result = super()._on_cancelled_activation()
        self.number_id._release()
        return result

    def _check_done_sim_swap(self):
        result = super()._check_done_sim_swap()
        self._check_inventory_sims_in_stock()
        return result

    def _on_done_sim_swap(self):
        """The old card leaves the line first (one assigned card per line)."""
        previous = self.env["telecom.sim"]._find_by_iccid(self.mapped("previous_iccid"))
        for request in self:
            previous.filtered(
                lambda sim, request=request: sim.service_id == request.service_id
            )._retire(SWAPPED_SIM_STATES[request.sim_swap_reason or "damaged"])
        self._assign_inventory_sims()
        return super()._on_done_sim_swap()

    def _check_submitted_port_in(self):
        result = super()._check_submitted_port_in()
        self._check_inventory_sims_in_stock()
        pool_numbers = [
            number
            for number in self._inventory_numbers().values()
            if number.origin == "pool"
        ]
        if pool_numbers:
            raise UserError(
                self.env._(
                    "Number %(number)s is one of ours: it cannot be ported in.",
                    number=pool_numbers[0].msisdn,
                )
            )
        return result

    def _on_done_port_in(self):
        result = super()._on_done_port_in()
        self.env["telecom.number"]._record_ported_in(self)
        self._assign_inventory_sims()
        return result
