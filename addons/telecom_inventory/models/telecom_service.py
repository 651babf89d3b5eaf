from odoo import fields, models


class TelecomService(models.Model):
    """The line's card as the inventory holds it; the eSIM code and QR code."""

    _inherit = "telecom.service"

    sim_id = fields.Many2one(
        "telecom.sim", string="SIM Card", compute="_compute_sim_id"
    )
    sim_type = fields.Selection(
        [("physical", "Physical SIM"), ("esim", "eSIM")],
        string="SIM Type",
        compute="_compute_sim_id",
    )
    esim_activation_code = fields.Char(
        string="eSIM Activation Code", compute="_compute_sim_id"
    )
    esim_activation_qr = fields.Binary(string="eSIM QR Code", compute="_compute_sim_id")
    device_ids = fields.One2many("telecom.device", "service_id")

    def _compute_sim_id(self):
        # sudo: the card follows the line, whatever the zone of its stock
        sims = (
            self.env["telecom.sim"]
            .sudo()
            .search([("service_id", "in", self.ids), ("state", "=", "assigned")])
        )
        by_service = {sim.service_id.id: sim for sim in sims}
        for service in self:
            sim = by_service.get(service.id, sims.browse())
            service.sim_id = sim.id
            service.sim_type = sim.sim_type
            service.esim_activation_code = sim.activation_code
            service.esim_activation_qr = sim.activation_qr

    def action_assign_device(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "telecom_inventory.telecom_device_assign_action"
        )
        action["context"] = {"default_service_id": self.id}
        return action

    def _apply_state(self, state, requests=None, block_reason=False, date=None):
        result = super()._apply_state(
            state, requests=requests, block_reason=block_reason, date=date
        )
        if state == "terminated":
            self._inventory_release()
        return result

    def _inventory_release(self):
        """The lines ended: their number rests in quarantine, their card retires,
        their devices are returned (rented ones to their stock location)."""
        # sudo: the inventory rows follow the lines, whatever the zone of the stock
        self.env["telecom.number"].sudo().search(
            [("service_id", "in", self.ids), ("state", "=", "assigned")]
        )._end_of_service()
        self.env["telecom.sim"].sudo().search(
            [("service_id", "in", self.ids), ("state", "=", "assigned")]
        )._retire()
        self.env["telecom.device"].sudo().search(
            [("service_id", "in", self.ids), ("state", "=", "assigned")]
        )._return()
