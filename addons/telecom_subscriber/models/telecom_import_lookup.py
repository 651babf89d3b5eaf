"""What one chunk of a billing import refers to, loaded with one query per kind.

``telecom.import.batch`` asks for the :class:`ChunkLookups` of its rows (zones,
catalog, subscribers, accounts, services) before it checks them without a query.
"""

from dataclasses import dataclass, field
from typing import NamedTuple

from odoo import api, models

from ..tools.billing_csv import LIVE_IDENTIFIERS

ALL_ZONES_GROUP = "telecom_subscriber.telecom_subscriber_group_all_zones"


class KnownPartner(NamedTuple):
    id: int
    is_company: bool
    visible: bool
    ambiguous: bool


class KnownAccount(NamedTuple):
    id: int
    holder_id: int
    visible: bool


@dataclass
class ChunkLookups:
    """What a chunk needs from the database, loaded with one query per kind.

    The checks also note here the customers and accounts the earlier rows of
    the chunk create, so that the later rows reuse them.
    """

    company_id: int  # branch of the import: accounts are looked up and made there
    regions: dict  # code -> telecom.region
    allowed_region_ids: set
    catalog: dict  # billing code -> product.product
    partners: dict  # customer id -> KnownPartner
    accounts: dict  # account number -> KnownAccount
    identities: dict  # service identity -> reference of the existing service
    live: dict  # column -> set of identifiers held by live services
    file_duplicates: dict  # column -> {textual key: first line of the file}
    seen: dict = field(default_factory=lambda: {name: {} for name in LIVE_IDENTIFIERS})
    new_customer_types: dict = field(default_factory=dict)  # ref -> is_company
    new_account_holders: dict = field(default_factory=dict)  # number -> ref


class TelecomImportLookup(models.AbstractModel):
    """Loads the lookups of a chunk of billing rows; stateless."""

    _name = "telecom.import.lookup"
    _description = "Billing Import Lookups"

    # ------------------------------------------------------------------
    # lookups: one query per kind for the whole chunk
    # ------------------------------------------------------------------
    @api.model
    def _load_lookups(self, job, rows):
        """Load what ``rows`` of the import ``job`` refer to."""
        values = [row.values for row in rows]
        region_codes = {value["region_code"] for value in values} - {""}
        regions = self.env["telecom.region"]._get_by_codes(region_codes)
        catalog_codes = {value["tariff_code"] for value in values} - {""}
        for row in rows:
            catalog_codes.update(row.option_codes)
        company_id = job.company_id.id
        account_numbers = {value["account_number"] for value in values} - {""}
        accounts = self._find_accounts(account_numbers, company_id)
        identities, live = self._find_services(
            rows, [known.id for known in accounts.values()]
        )
        customer_refs = {value["customer_id"] for value in values} - {""}
        return ChunkLookups(
            company_id=company_id,
            regions=regions,
            allowed_region_ids=self._allowed_region_ids(list(regions.values())),
            catalog=self._find_catalog(catalog_codes),
            partners=self._find_subscribers(customer_refs, company_id),
            accounts=accounts,
            identities=identities,
            live=live,
            file_duplicates=job.duplicate_identifiers or {},
        )

    def _allowed_region_ids(self, regions):
        """Ids of ``regions`` where the user may create subscribers and services.

        Mirrors the zone record rules (agents: their zones and below; head office
        and integration: all) so that a row outside the user's zones is a row error
        instead of an access error on the whole chunk.
        """
        region_ids = [region.id for region in regions]
        user = self.env.user
        if self.env.su or user.has_group(ALL_ZONES_GROUP):
            return set(region_ids)
        allowed = self.env["telecom.region"].search(
            [("id", "in", region_ids), ("id", "child_of", user.telecom_region_ids.ids)]
        )
        return set(allowed.ids)

    def _find_catalog(self, codes):
        if not codes:
            return {}
        products = self.env["product.product"].search(
            [("telecom_billing_code", "in", list(codes)), ("telecom_kind", "!=", False)]
        )
        # prefetch what the checks read, in two queries for the whole chunk
        products.mapped("telecom_service_type")
        products.product_tmpl_id.mapped("telecom_compatible_option_ids")
        return {product.telecom_billing_code: product for product in products}

    def _find_subscribers(self, refs, company_id):
        """Subscribers by customer id, those of zones the user cannot see included."""
        if not refs:
            return {}
        Partner = self.env["res.partner"]
        domain = [
            ("telecom_is_subscriber", "=", True),
            ("ref", "in", list(refs)),
            ("company_id", "in", [False, company_id]),
        ]
        # sudo: a customer of a zone the user does not manage must be reported, not
        # registered a second time; only ids, refs and types are read
        partners = Partner.sudo().search_fetch(
            domain, ["ref", "is_company"], order="id"
        )
        visible_ids = set(Partner.search([("id", "in", partners.ids)]).ids)
        known = {}
        for partner in partners:
            if partner.ref in known:
                known[partner.ref] = known[partner.ref]._replace(ambiguous=True)
                continue
            known[partner.ref] = KnownPartner(
                partner.id, partner.is_company, partner.id in visible_ids, False
            )
        return known

    def _find_accounts(self, numbers, company_id):
        """Accounts of the branch ``company_id`` by number, hidden ones included."""
        if not numbers:
            return {}
        Account = self.env["telecom.account"]
        domain = [("name", "in", list(numbers)), ("company_id", "=", company_id)]
        # sudo: account numbers are unique per branch whatever the zone; an account
        # the user cannot see must be reported, not hit the unique constraint
        accounts = Account.sudo().search_fetch(domain, ["name", "partner_id"])
        visible_ids = set(Account.search([("id", "in", accounts.ids)]).ids)
        return {
            account.name: KnownAccount(
                account.id, account.partner_id.id, account.id in visible_ids
            )
            for account in accounts
        }

    def _find_services(self, rows, account_ids):
        """Services the chunk may clash with: on its accounts or holding its numbers.

        Returns the identities of the services of the known accounts (rows imported
        before are skipped) and the identifiers held by live services.
        """
        wanted = {
            name: [row.typed[name] for row in rows if row.typed.get(name)]
            for name in LIVE_IDENTIFIERS
        }
        if not (account_ids or wanted["msisdn"] or wanted["iccid"]):
            return {}, {name: set() for name in LIVE_IDENTIFIERS}
        domain = [
            "|",
            ("account_id", "in", account_ids),
            "&",
            ("state", "!=", "terminated"),
            "|",
            ("msisdn", "in", wanted["msisdn"]),
            ("iccid", "in", wanted["iccid"]),
        ]
        identity_fields = [
            "reference",
            "account_id",
            "service_type",
            "msisdn",
            "iccid",
            "installation_address",
            "state",
        ]
        # sudo: MSISDN and ICCID are unique across the zones, those the user cannot
        # see included; only identifiers are read
        services = (
            self.env["telecom.service"].sudo().search_fetch(domain, identity_fields)
        )
        identities, live = {}, {name: set() for name in LIVE_IDENTIFIERS}
        for service in services:
            identity = (
                service.account_id.id,
                service.service_type,
                service.msisdn or False,
                service.iccid or False,
                service.installation_address or False,
            )
            identities[identity] = service.reference
            if service.state != "terminated":
                for name in LIVE_IDENTIFIERS:
                    if service[name]:
                        live[name].add(service[name])
        return identities, live
