from odoo import api, fields, models

from .telecom_request import DELIVERY_STATES


class TelecomService(models.Model):
    """The service form shows what billing says of the line and its orders."""

    _inherit = "telecom.service"

    bss_outbox_ids = fields.One2many(
        "telecom.outbox", "service_id", string="Billing Orders", readonly=True
    )
    bss_delivery_state = fields.Selection(
        DELIVERY_STATES,
        string="Last Billing Order",
        compute="_compute_bss_delivery",
    )
    bss_delivery_label = fields.Char(
        string="Billing Delivery", compute="_compute_bss_delivery"
    )
    bss_billing_status = fields.Char(
        string="Status in Billing", compute="_compute_bss_billing"
    )
    bss_billing_tariff = fields.Char(
        string="Tariff in Billing", compute="_compute_bss_billing"
    )
    bss_billing_options = fields.Char(
        string="Options in Billing", compute="_compute_bss_billing"
    )
    bss_billing_age = fields.Char(string="Billing Data", compute="_compute_bss_billing")

    @api.depends("bss_outbox_ids.state", "bss_outbox_ids.attempt_count")
    def _compute_bss_delivery(self):
        for service in self:
            order = service.bss_outbox_ids.sorted("id", reverse=True)[:1]
            service.bss_delivery_state = order.state or "none"
            service.bss_delivery_label = order.delivery_label or False

    @api.depends("account_id.bss_snapshot_ids.services", "msisdn")
    def _compute_bss_billing(self):
        for service in self:
            snapshot = service.account_id.bss_snapshot_ids[:1]
            line = next(
                (
                    entry
                    for entry in snapshot.services or []
                    if entry.get("msisdn") and entry.get("msisdn") == service.msisdn
                ),
                {},
            )
            service.bss_billing_status = line.get("status") or False
            service.bss_billing_tariff = line.get("tariff_code") or False
            service.bss_billing_options = ", ".join(line.get("option_codes") or [])
            service.bss_billing_age = snapshot.age_label or False

    def action_bss_refresh_billing(self):
        self.ensure_one()
        self.check_access("read")  # the refresh writes the cache as the system
        self.account_id._bss_refresh_billing(live=True)
        return True
