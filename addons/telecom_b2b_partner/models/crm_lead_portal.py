from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from ..tools.tax_ids import normalize_tax_id

# the fields of the portal's referral form, in the order they are shown
REFERRAL_FIELDS = (
    "company_name",
    "inn",
    "contact_name",
    "phone",
    "email",
    "service_types",
    "need",
    "site_count",
)
MAX_SITE_COUNT = 100000


class CrmLead(models.Model):
    """Leads and referrals that dealers and agents submit from the portal."""

    _inherit = "crm.lead"

    telecom_b2b_site_count = fields.Integer(
        string="Sites",
        help="Number of sites (offices, shops, branches) the prospect wants served.",
    )

    @api.constrains("telecom_inn")
    def _check_telecom_lead_inn(self):
        for lead in self.filtered("telecom_inn"):
            lead._telecom_prospect_partner()._check_telecom_inn()

    def _telecom_prospect_partner(self):
        """An unsaved company with the lead's name and INN, so that the INN is
        checked (and explained) exactly like a customer's."""
        self.ensure_one()
        return self.env["res.partner"].new(
            {
                "name": self.partner_name or self.name,
                "is_company": True,
                "telecom_inn": self.telecom_inn,
            }
        )

    # ------------------------------------------------------------------
    # portal referrals (called by the agent portal's controller only)
    # ------------------------------------------------------------------
    @api.model
    def _telecom_portal_service_types(self):
        """Services an agent can say the prospect needs: (key, label) pairs."""
        return (
            self.env["telecom.service"]
            ._fields["service_type"]
            ._description_selection(self.env)
        )

    @api.model
    def _telecom_portal_referral_errors(self, values):
        """What is wrong in the referral form ``values`` (the strings typed by
        the agent): a dict field name → translated message, empty when the
        referral can be submitted."""
        errors = {}
        for field, message in (
            ("company_name", self.env._("Please give the name of the company.")),
            ("inn", self.env._("Please give the INN of the company.")),
            ("contact_name", self.env._("Please give the name of a contact person.")),
        ):
            if not (values.get(field) or "").strip():
                errors[field] = message
        if not errors.get("inn"):
            inn_error = self._telecom_portal_inn_error(values)
            if inn_error:
                errors["inn"] = inn_error
        phone, email = (
            (values.get("phone") or "").strip(),
            (values.get("email") or "").strip(),
        )
        if not phone and not email:
            errors["phone"] = self.env._(
                "Please give a phone number or an email to reach the contact person."
            )
        if email and not email_normalize(email):
            errors["email"] = self.env._(
                "%(email)s is not a valid email address.", email=email
            )
        site_count = (values.get("site_count") or "").strip()
        if site_count and not (
            site_count.isdigit() and 1 <= int(site_count) <= MAX_SITE_COUNT
        ):
            errors["site_count"] = self.env._(
                "The number of sites must be a whole number from 1 to %(max)s.",
                max=MAX_SITE_COUNT,
            )
        known = dict(self._telecom_portal_service_types())
        unknown = [key for key in values.get("service_types", []) if key not in known]
        if unknown:
            errors["service_types"] = self.env._("Choose the services in the list.")
        return errors

    @api.model
    def _telecom_portal_inn_error(self, values):
        prospect = self.env["res.partner"].new(
            {
                "name": values["company_name"].strip() or values["inn"],
                "is_company": True,
                "telecom_inn": normalize_tax_id(values["inn"]),
            }
        )
        try:
            prospect._check_telecom_inn()
        except ValidationError as error:
            return error.args[0]
        return None

    @api.model
    def _telecom_portal_create_referral(self, agent, values):
        """Create the partner-channel opportunity that the agent ``agent`` (a
        commercial partner) submitted from the portal, for the sales team of
        the agent's zone. Raises ValidationError on bad ``values``."""
        errors = self._telecom_portal_referral_errors(values)
        if errors:
            raise ValidationError("\n".join(errors.values()))
        team = self.env["crm.team"]._telecom_get_team_for_region(
            agent.telecom_region_id
        )
        return self.with_context(mail_create_nosubscribe=True).create(
            self._prepare_telecom_portal_referral_vals(agent, team, values)
        )

    @api.model
    def _prepare_telecom_portal_referral_vals(self, agent, team, values):
        company_name = values["company_name"].strip()
        site_count = (values.get("site_count") or "").strip()
        return {
            "name": self.env._(
                "%(company)s (from %(agent)s)", company=company_name, agent=agent.name
            ),
            "type": "opportunity",
            "partner_name": company_name,
            "telecom_inn": values["inn"],
            "contact_name": values["contact_name"].strip(),
            "phone": (values.get("phone") or "").strip() or False,
            "email_from": (values.get("email") or "").strip() or False,
            "telecom_b2b_site_count": int(site_count) if site_count else 0,
            "description": self._telecom_portal_referral_description(values),
            "telecom_b2b_channel": "partner",
            "telecom_b2b_referrer_id": agent.id,
            "team_id": team.id,
            # the team leader answers the lead; never the agent's own user
            "user_id": team.user_id.id,
            "company_id": team.company_id.id or self.env.company.id,
        }

    @api.model
    def _telecom_portal_referral_description(self, values):
        labels = dict(self._telecom_portal_service_types())
        services = [labels[key] for key in values.get("service_types", [])]
        parts = []
        if services:
            parts.append(
                escape(
                    self.env._("Services: %(services)s", services=", ".join(services))
                )
            )
        need = (values.get("need") or "").strip()
        if need:
            parts.append(escape(need).replace("\n", Markup("<br/>")))
        return Markup("").join(Markup("<p>%s</p>") % part for part in parts)
