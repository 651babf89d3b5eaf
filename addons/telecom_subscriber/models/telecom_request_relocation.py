from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.selections import ACCESS_TECHNOLOGIES

FIXED_SERVICE_TYPES = ("broadband", "fixed_voice", "iptv")
FEASIBILITY_STATES = [
    ("unchecked", "Not Checked"),
    ("feasible", "Feasible"),
    ("not_feasible", "Not Feasible"),
]


class TelecomRequest(models.Model):
    """Relocation of a fixed service to a new address.

    Submitting it checks the technical feasibility at the new address
    (:meth:`_get_relocation_feasibility`: the coverage table of this addon, an
    OSS connector overrides it). Not feasible, the request is rejected with the
    reason; feasible, it is scheduled for the installation date (the earliest
    possible one unless a later one is asked) and the service moves that day.
    """

    _inherit = "telecom.request"

    request_type = fields.Selection(
        selection_add=[("relocation", "Relocation")],
        ondelete={"relocation": "cascade"},
    )
    relocation_address = fields.Char(string="New Address", tracking=True)
    relocation_technology = fields.Selection(
        ACCESS_TECHNOLOGIES,
        string="New Access Technology",
        help="Empty: the one the coverage at the new address offers.",
    )
    previous_address = fields.Char(readonly=True, copy=False)
    feasibility_state = fields.Selection(
        FEASIBILITY_STATES,
        string="Feasibility",
        default="unchecked",
        readonly=True,
        copy=False,
        tracking=True,
    )
    feasibility_note = fields.Char(readonly=True, copy=False)
    feasibility_region_id = fields.Many2one(
        "telecom.region",
        string="Zone at the New Address",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    earliest_installation_date = fields.Date(readonly=True, copy=False)

    def _check_submitted_relocation(self):
        self._require_service(("active",), self.env._("A relocation"))
        for request in self:
            request._check_relocation()

    def _on_submitted_relocation(self):
        for request in self:
            request.previous_address = request.service_id.installation_address
            request._record_feasibility(request._get_relocation_feasibility())

    def _after_submitted_relocation(self):
        for request in self.filtered(
            lambda request: request.feasibility_state == "not_feasible"
        ):
            request._transition("rejected", note=request.feasibility_note)

    def _check_done_relocation(self):
        self._require_service(("active",), self.env._("A relocation"))

    def _on_done_relocation(self):
        for request in self:
            service = request.service_id
            vals = {"installation_address": request.relocation_address}
            if request.relocation_technology:
                vals["access_technology"] = request.relocation_technology
            if request.feasibility_region_id:
                vals["region_id"] = request.feasibility_region_id.id
            service.write(vals)

    def _event_payload_relocation(self):
        return {
            "address": self.relocation_address,
            "previous_address": self.previous_address or None,
            "access_technology": self.relocation_technology or None,
            "feasibility": self.feasibility_state,
        }

    def action_check_feasibility(self):
        """Check the new address now, before submitting (the result is shown)."""
        self.ensure_one()
        if self.request_type != "relocation" or self.state != "draft":
            raise UserError(
                self.env._("The feasibility is checked on draft relocations.")
            )
        self._check_relocation_address()
        self._record_feasibility(self._get_relocation_feasibility())
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _get_relocation_feasibility(self):
        """Hook: can the service be installed at the new address, and when?

        Returns a dict: ``feasible`` (bool), ``reason`` (text shown to the
        subscriber when not), ``earliest_date`` (date or None), ``region``
        (``telecom.region`` of the new address, may be empty) and
        ``technology`` (access technology offered, or False). Base: the
        coverage table (``telecom.coverage.area``); an OSS connector asks the
        network inventory instead.
        """
        self.ensure_one()
        today = fields.Date.context_today(self)
        # sudo: the new address may lie in a zone the agent does not serve; the
        # coverage table is reference data read for this one address
        area = (
            self.env["telecom.coverage.area"]
            .sudo()
            ._find_for_address(
                self.relocation_address,
                self.service_id.service_type,
                self.company_id,
            )
        )
        result = {
            "feasible": False,
            "reason": "",
            "earliest_date": None,
            "region": area.region_id.sudo(False),
            "technology": area.access_technology or False,
        }
        if not area:
            result["reason"] = self.env._(
                "No coverage at %(address)s.", address=self.relocation_address
            )
        elif not area.is_feasible:
            result["reason"] = area.note or self.env._(
                "The service cannot be installed at %(address)s.",
                address=self.relocation_address,
            )
        elif (
            self.relocation_technology
            and area.access_technology
            and self.relocation_technology != area.access_technology
        ):
            technologies = dict(ACCESS_TECHNOLOGIES)
            result["reason"] = self.env._(
                "%(address)s is covered by %(offered)s only, not %(asked)s.",
                address=self.relocation_address,
                offered=technologies[area.access_technology],
                asked=technologies[self.relocation_technology],
            )
        else:
            result["feasible"] = True
            result["earliest_date"] = today + timedelta(
                days=area.installation_lead_days
            )
        return result

    def _record_feasibility(self, result):
        self.ensure_one()
        vals = {
            "feasibility_state": "feasible" if result["feasible"] else "not_feasible",
            "feasibility_note": result["reason"] or False,
            "feasibility_region_id": result["region"].id,
            "earliest_installation_date": result["earliest_date"] or False,
        }
        if result["feasible"]:
            earliest = result["earliest_date"]
            if earliest and (not self.effective_date or self.effective_date < earliest):
                vals["effective_date"] = earliest
            if not self.relocation_technology and result["technology"]:
                vals["relocation_technology"] = result["technology"]
        self.write(vals)

    def _check_relocation(self):
        self.ensure_one()
        if self.service_id.service_type not in FIXED_SERVICE_TYPES:
            raise UserError(self.env._("Only a fixed service moves to a new address."))
        self._check_relocation_address()
        today = fields.Date.context_today(self)
        if self.effective_date and self.effective_date < today:
            raise UserError(self.env._("The installation date is in the past."))

    def _check_relocation_address(self):
        self.ensure_one()
        address = (self.relocation_address or "").strip()
        if not address:
            raise UserError(self.env._("Give the new installation address."))
        if address == (self.service_id.installation_address or "").strip():
            raise UserError(
                self.env._("The service is already installed at this address.")
            )
