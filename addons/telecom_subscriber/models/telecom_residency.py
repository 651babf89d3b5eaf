from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import config

# odoo.conf option (deployment) and system parameter (Settings); the option wins
ALLOWED_JURISDICTIONS_OPTION = "telecom_allowed_jurisdictions"
ALLOWED_JURISDICTIONS_PARAM = "telecom_subscriber.allowed_jurisdictions"


def parse_jurisdictions(text):
    """The codes of a comma/space-separated list, in capitals."""
    return frozenset(
        code.strip().upper()
        for code in (text or "").replace(";", ",").replace(" ", ",").split(",")
        if code.strip()
    )


def is_allowed(jurisdiction, allowed):
    """Whether ``jurisdiction`` (RU, RU-MOW) is among ``allowed``: a country
    allows its subdivisions. An unknown jurisdiction is allowed only when
    nothing is restricted."""
    if not allowed:
        return True
    if not jurisdiction:
        return False
    return jurisdiction in allowed or jurisdiction.split("-")[0] in allowed


class TelecomResidency(models.AbstractModel):
    """Data residency (152-FZ): which jurisdictions this deployment may store.

    Every record of personal data belongs to the jurisdiction of its zone
    (``telecom.region.jurisdiction``, inherited from the parent zone), else of
    the zone's branch country, else of its company's country (the current
    company when the record has none). A deployment declares the jurisdictions
    it stores with ``telecom_allowed_jurisdictions`` in odoo.conf or, when the
    file does not set it, in Settings; empty: no restriction.
    """

    _name = "telecom.residency"
    _description = "Personal Data Residency"

    @api.model
    def _allowed_jurisdictions(self):
        """The jurisdictions this deployment stores (empty: all)."""
        configured = config.get(ALLOWED_JURISDICTIONS_OPTION)
        if configured:
            return parse_jurisdictions(configured)
        # sudo: the deployment's restriction applies to every user, who may not
        # read system parameters (cached: no query per record)
        parameters = self.env["ir.config_parameter"].sudo()
        return parse_jurisdictions(parameters.get_param(ALLOWED_JURISDICTIONS_PARAM))

    @api.model
    def _is_restricted(self):
        return bool(self._allowed_jurisdictions())

    @api.model
    def _region_jurisdictions(self, regions, company):
        """{region id: jurisdiction} of ``regions`` (and ``False``: no zone),
        falling back to the zone's branch country, then to ``company``'s."""
        fallback = company.country_id.code or False
        # sudo: the jurisdiction of a zone is decided whatever the user may read
        jurisdictions = {
            region.id: region.jurisdiction or region.company_id.country_id.code
            for region in regions.sudo()
        }
        jurisdictions = {
            region_id: jurisdiction or fallback
            for region_id, jurisdiction in jurisdictions.items()
        }
        jurisdictions[False] = fallback
        return jurisdictions

    @api.model
    def _record_jurisdictions(self, records):
        """{record id: jurisdiction} of records inheriting the personal data
        mixin, read together: a few queries whatever their number."""
        # sudo: the jurisdiction of a record is decided whatever the user may read
        records = records.sudo()
        region_field = records._telecom_jurisdiction_region_field()
        has_company = "company_id" in records._fields
        regions = records[region_field] if region_field else self.env["telecom.region"]
        region_codes = self._region_jurisdictions(regions, self.env["res.company"])
        companies = records.company_id if has_company else self.env["res.company"]
        company_codes = {
            company.id: company.country_id.code for company in companies
        } | {False: self.env.company.country_id.code}
        jurisdictions = {}
        for record in records:
            region = record[region_field] if region_field else regions
            company = record.company_id if has_company else companies
            jurisdictions[record.id] = (
                region_codes.get(region.id) or company_codes.get(company.id)
            ) or company_codes[False]
        return jurisdictions

    @api.model
    def _check_records(self, records, field_names, created=False):
        """Refuse ``records`` (just created, or written, in this transaction)
        whose jurisdiction this deployment may not store; the refusal is
        journaled in the personal data audit log with the jurisdiction."""
        allowed = self._allowed_jurisdictions()
        if not allowed or not records:
            return
        jurisdictions = self._record_jurisdictions(records)
        refused = {
            record_id: jurisdiction
            for record_id, jurisdiction in jurisdictions.items()
            if not is_allowed(jurisdiction, allowed)
        }
        if refused:
            self._refuse(
                records.browse(list(refused)),
                set(refused.values()),
                field_names,
                allowed,
                log_records=not created,
            )

    @api.model
    def _refuse(self, records, jurisdictions, field_names, allowed, log_records=True):
        """Journal the refused storage of ``records`` and raise the error."""
        named = sorted(code for code in jurisdictions if code)
        self.env["telecom.audit.log"]._log(
            # a record created in the refused transaction cannot be referred to
            records if log_records else records.browse(),
            "change",
            field_names,
            denied=True,
            jurisdiction=",".join(named) or "?",
        )
        allowed_text = ", ".join(sorted(allowed))
        if len(named) < len(jurisdictions):
            raise UserError(
                self.env._(
                    "The jurisdiction of %(count)s record(s) of personal data is "
                    "unknown: give their zone a jurisdiction or their company a "
                    "country. This database stores the personal data of %(allowed)s "
                    "only.",
                    count=len(records),
                    allowed=allowed_text,
                )
            )
        raise UserError(
            self.env._(
                "This database may not store the personal data of %(jurisdictions)s "
                "(%(count)s record(s)): it stores the personal data of %(allowed)s "
                "only. Record them in the database of their jurisdiction.",
                jurisdictions=", ".join(named),
                count=len(records),
                allowed=allowed_text,
            )
        )
