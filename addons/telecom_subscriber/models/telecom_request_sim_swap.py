from odoo import fields, models
from odoo.exceptions import UserError


class TelecomRequest(models.Model):
    """SIM replacement: a new card for the same number (lost, damaged, eSIM).

    Submitted with the new card's ICCID (an agent scans it), it completes like any
    simple request. Submitted without one, it is a card *ordered* (by the
    subscriber from the portal, or by an agent for later): it waits, and the shop
    that hands the card over scans its ICCID, checks the holder's identity and
    completes it; the checks of the card run again at completion either way.
    """

    _inherit = "telecom.request"

    previous_iccid = fields.Char(string="Previous ICCID", readonly=True, copy=False)
    sim_swap_reason = fields.Selection(
        [
            ("lost", "Lost or Stolen"),
            ("damaged", "Damaged"),
            ("format", "New Format / eSIM"),
        ],
        string="Replacement Reason",
        default="damaged",
    )
    identity_verified = fields.Boolean(
        help="The agent checked the identity document of the holder (SIM-swap fraud)."
    )

    def _check_submitted_sim_swap(self):
        self._require_service(("active", "blocked"), self.env._("A SIM replacement"))
        for request in self:
            request._check_sim_swap_line()
            if request.iccid:  # without one, a card ordered: checked when handed over
                request._check_sim_swap()

    def _on_submitted_sim_swap(self):
        for request in self:
            request.previous_iccid = request.service_id.iccid

    def _check_done_sim_swap(self):
        self._require_service(("active", "blocked"), self.env._("A SIM replacement"))
        for request in self:
            request._check_sim_swap()

    def _on_done_sim_swap(self):
        self.env["telecom.service"].flush_model(["iccid"])
        for request in self:
            request.service_id.write(
                {"iccid": request.iccid, "imsi": request.imsi or False}
            )
        lost_sim_blocks = self.filtered(
            lambda request: request.service_id.block_reason == "lost_sim"
        )
        lost_sim_blocks.service_id._apply_state("active", requests=lost_sim_blocks)

    def _event_payload_sim_swap(self):
        return {
            "iccid": self.iccid,
            "previous_iccid": self.previous_iccid or None,
            "reason": self.sim_swap_reason,
        }

    def _advance_submitted(self):
        """A SIM card ordered without its card waits until the shop hands it over."""
        orders = self.filtered(
            lambda request: request.request_type == "sim_swap" and not request.iccid
        )
        return super(TelecomRequest, self - orders)._advance_submitted()

    def _check_sim_swap_line(self):
        self.ensure_one()
        if self.service_id.service_type != "mobile":
            raise UserError(self.env._("Only mobile lines have a SIM card."))

    def _check_sim_swap(self):
        """The new card: scanned, not in use, given to the holder after an ID check."""
        self.ensure_one()
        self._check_sim_swap_line()
        if not self.iccid or self.iccid == self.service_id.iccid:
            raise UserError(self.env._("Scan the ICCID of the new SIM card."))
        if not self.identity_verified:
            raise UserError(
                self.env._(
                    "Check the holder's identity document before replacing a SIM card."
                )
            )
        if self.env["telecom.service"]._find_live("iccid", [self.iccid]):
            raise UserError(
                self.env._("SIM card %(iccid)s is already in use.", iccid=self.iccid)
            )
