from odoo import models
from odoo.exceptions import UserError


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _telecom_b2b_portal_ticket_target(self, site_id, service_id):
        """(site, service) a corporate contact ``self`` opens a ticket for on
        the portal, from the form's raw values: a site it sees, and optionally
        one of that site's services it sees. Raise ``UserError`` otherwise (the
        same message whether the id is another company's or does not exist)."""
        self.ensure_one()
        sites = self._telecom_b2b_portal_sites()
        site = sites.filtered(lambda s: str(s.id) == str(site_id or ""))
        if not site:
            raise UserError(self.env._("Choose one of your sites for the ticket."))
        service = self.env["telecom.service"]
        if service_id:
            # read under the user's record rules: only services it sees
            service = service.search(
                [
                    ("id", "=", int(service_id) if str(service_id).isdigit() else 0),
                    ("partner_id", "child_of", site.id),
                ]
            )
            if not service:
                raise UserError(
                    self.env._("Choose a service of the site %(site)s.", site=site.name)
                )
        return site, service
