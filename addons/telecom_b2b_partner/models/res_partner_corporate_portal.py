from odoo import api, fields, models
from odoo.exceptions import AccessError

# a change of these fields changes what a corporate contact sees on the portal:
# the record rules that read them are cached per user
PORTAL_SCOPE_FIELDS = {
    "telecom_b2b_portal_admin",
    "telecom_b2b_portal_site_ids",
    "telecom_b2b_level",
    "parent_id",
    "is_company",
}


class ResPartner(models.Model):
    """Who sees what of a corporate customer on the portal.

    A contact person of a company of a corporate hierarchy is a *corporate
    contact*. Its company's *portal administrator* (a contact flagged so) sees
    everything of the company and below it, and grants each other contact the
    sites it may see: a contact who is not administrator sees only the sites
    granted to it and what is below them (nothing when none is granted). A
    contact never sees above its company, hence never its company's siblings.
    The record rules of the portal read ``telecom_b2b_portal_restricted`` and
    ``telecom_b2b_portal_site_ids``.
    """

    _inherit = "res.partner"

    telecom_b2b_portal_admin = fields.Boolean(
        string="Portal Administrator",
        help="On the portal, this contact sees everything of its company and of the "
        "companies below it, and decides which sites the other contacts see.",
    )
    telecom_b2b_portal_site_ids = fields.Many2many(
        "res.partner",
        "telecom_b2b_portal_site_rel",
        "contact_id",
        "site_id",
        string="Sites Seen on the Portal",
        domain="[('is_company', '=', True)]",
        help="The companies and sites of its customer this contact sees on the "
        "portal (with what is below them), granted by the customer's portal "
        "administrator. Ignored for administrators.",
    )
    telecom_b2b_portal_restricted = fields.Boolean(
        string="Portal Limited to Granted Sites",
        compute="_compute_telecom_b2b_portal_restricted",
        help="A contact of a corporate customer who is not its portal "
        "administrator sees only the sites granted to it.",
    )

    @api.depends(
        "is_company",
        "telecom_b2b_portal_admin",
        "commercial_partner_id.telecom_b2b_level",
    )
    def _compute_telecom_b2b_portal_restricted(self):
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.telecom_b2b_portal_restricted = bool(
                not partner.is_company
                and commercial != partner
                and commercial.telecom_b2b_level
                and not partner.telecom_b2b_portal_admin
            )

    def write(self, vals):
        result = super().write(vals)
        if PORTAL_SCOPE_FIELDS & set(vals) and self._telecom_b2b_portal_scope_users():
            # the portal record rules read these fields, and Odoo caches the rules'
            # domains per user: forget them so the change applies at once
            self.env.registry.clear_cache()
        return result

    def _telecom_b2b_portal_scope_users(self):
        """Whether a portal user may see differently after a change of ``self``:
        the contact of a user, or a company with contacts below it."""
        return bool(self.user_ids) or any(
            partner.is_company or partner.telecom_b2b_level for partner in self
        )

    # ------------------------------------------------------------------
    # what a corporate contact sees (for the portal pages)
    # ------------------------------------------------------------------
    def _telecom_b2b_portal_root_ids(self):
        """Ids of the companies whose hierarchy the contact ``self`` sees: its
        company, or the sites granted to it when it is restricted (only those
        within its company's hierarchy)."""
        self.ensure_one()
        commercial = self.commercial_partner_id
        if not self.telecom_b2b_portal_restricted:
            return [commercial.id]
        tree = set(commercial._telecom_b2b_descendants().get(commercial.id, []))
        return [pid for pid in self.telecom_b2b_portal_site_ids.ids if pid in tree]

    def _telecom_b2b_portal_sites(self):
        """The companies and sites the contact ``self`` sees on the portal, by
        name, in sudo: the portal pages show their names and addresses, which
        portal users may not read above their own company."""
        self.ensure_one()
        trees = self.browse(
            self._telecom_b2b_portal_root_ids()
        )._telecom_b2b_descendants()
        visible_ids = {pid for ids in trees.values() for pid in ids}
        # sudo: the ids come from the contact's own hierarchy (above); only the
        # companies among them are returned
        return (
            self.sudo()
            .browse(visible_ids)
            .filtered("is_company")
            .sorted(lambda site: site.complete_name or "")
        )

    def _telecom_b2b_is_corporate_contact(self):
        """Whether ``self`` is a contact person of a company of a corporate
        hierarchy (who gets the corporate portal)."""
        self.ensure_one()
        return bool(
            not self.is_company and self.commercial_partner_id.telecom_b2b_level
        )

    def _telecom_b2b_is_portal_admin(self):
        self.ensure_one()
        return bool(
            self.telecom_b2b_portal_admin and self._telecom_b2b_is_corporate_contact()
        )

    def _telecom_b2b_portal_employees(self):
        """The other contact persons of the administrator ``self``'s company and
        of the companies below it (sudo: portal users cannot read them)."""
        self.ensure_one()
        if not self._telecom_b2b_is_portal_admin():
            return self.browse()
        commercial = self.commercial_partner_id
        tree = commercial._telecom_b2b_descendants().get(commercial.id, [])
        # sudo: a search on the administrator's own hierarchy only
        return self.sudo().search(
            [
                ("id", "in", tree),
                ("id", "!=", self.id),
                ("is_company", "=", False),
                ("type", "=", "contact"),
            ],
            order="name, id",
        )

    def _telecom_b2b_portal_grant_sites(self, site_ids):
        """The current user, portal administrator of its company, sets the sites
        the contact ``self`` sees. Raise ``AccessError`` when the user is no
        administrator, the contact is not one of its company's, or a site is not
        in its company's hierarchy (the portal answers as for a missing page)."""
        self.ensure_one()
        admin = self.env.user.partner_id
        employees = admin._telecom_b2b_portal_employees()
        if self not in employees:
            raise AccessError(self.env._("This contact is not one of your company's."))
        allowed_ids = set(admin._telecom_b2b_portal_sites().ids)
        if not set(site_ids) <= allowed_ids:
            raise AccessError(self.env._("These sites are not your company's."))
        # sudo: portal users cannot write partners; the user was checked above
        # to be the administrator of the contact's company and of the sites
        self.sudo().write(
            {"telecom_b2b_portal_site_ids": [fields.Command.set(site_ids)]}
        )
        self.sudo().message_post(
            body=self.env._(
                "Sites seen on the portal set by %(admin)s: %(sites)s",
                admin=admin.name,
                sites=", ".join(self.sudo().telecom_b2b_portal_site_ids.mapped("name"))
                or self.env._("none"),
            ),
            subtype_xmlid="mail.mt_note",
        )
