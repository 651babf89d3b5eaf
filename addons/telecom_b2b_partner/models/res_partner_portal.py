from odoo import models


class ResPartner(models.Model):
    """Dealers and agents in the portal."""

    _inherit = "res.partner"

    def _telecom_b2b_is_portal_agent(self):
        """Whether this commercial partner is a dealer or an agent, so that its
        contacts with portal access get the agent's portal pages."""
        self.ensure_one()
        return bool(self.telecom_b2b_agent_type)
