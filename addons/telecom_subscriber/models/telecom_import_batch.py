"""One chunk of a billing import: checks, plans and creation.

``telecom.import`` reads and parses a chunk of rows (``tools/billing_csv.py``),
then:

1. ``telecom.import.lookup`` loads what the rows refer to (zones, catalog,
   subscribers, accounts, services) with one query per kind;
2. :meth:`~TelecomImportBatch._plan_rows` checks every row against them, without
   a query, and plans the records of the valid new rows;
3. :meth:`~TelecomImportBatch._create_records` creates partners, accounts and
   services with one batched ``create`` each, falling back to row by row (one
   savepoint per row) should the database refuse the batch.
"""

import logging
from dataclasses import dataclass

import psycopg2

from odoo import Command, api, models
from odoo.exceptions import UserError
from odoo.service.model import _as_validation_error
from odoo.tools import SQL

from ..tools.billing_csv import LIVE_IDENTIFIERS, live_key
from .telecom_import_lookup import KnownAccount, KnownPartner

_logger = logging.getLogger(__name__)


@dataclass
class RowPlan:
    """What a valid row creates: partner, account and service values."""

    line_number: int
    customer_ref: str
    account_number: str
    partner_vals: dict
    account_vals: dict
    service_vals: dict


class TelecomImportBatch(models.AbstractModel):
    """Checks and creates the records of one chunk of billing rows.

    Stateless: the chunk travels in :class:`ChunkLookups` and the rows
    (``billing_csv.ParsedRow``), whose problems and skip message the checks fill.
    Called in the environment of the import (its user, company and language).
    """

    _name = "telecom.import.batch"
    _description = "Billing Import Batch"

    # ------------------------------------------------------------------
    # checks against the lookups (no query) and plans
    # ------------------------------------------------------------------
    @api.model
    def _plan_rows(self, rows, lookups):
        """Check ``rows`` in file order; return the plans of the valid new rows."""
        plans = []
        for row in rows:
            plan = self._check_row(row, lookups)
            if plan:
                plans.append(plan)
        return plans

    def _check_row(self, row, lookups):
        """Return the plan of a valid new row; None for a rejected or skipped row."""
        self._check_file_duplicates(row, lookups)
        region = self._check_region(row, lookups)
        tariff, options = self._check_offer(row, lookups)
        partner_id = self._check_customer(row, lookups)
        account_id = self._check_account(row, lookups, partner_id)
        if row.problems or self._is_already_imported(row, lookups, account_id):
            return None
        self._check_live_identifiers(row, lookups)
        if row.problems:
            return None
        self._remember_new_records(row, lookups, partner_id, account_id)
        return self._prepare_plan(row, lookups, region, tariff, options)

    def _check_file_duplicates(self, row, lookups):
        """Reject a live row repeating the MSISDN/ICCID of an earlier live row."""
        if not row.is_live:
            return
        for name in LIVE_IDENTIFIERS:
            raw = row.values[name]
            if not raw:
                continue
            first_line = lookups.file_duplicates.get(name, {}).get(live_key(raw))
            normalized = row.typed[name]
            if not (first_line and first_line < row.line_number) and normalized:
                # same number written differently (8 916... / +7916...) in this chunk
                first_line = lookups.seen[name].setdefault(normalized, row.line_number)
            if first_line and first_line < row.line_number:
                row.add_problem(
                    name,
                    self.env._(
                        "%(column)s %(value)s already appears on line %(line)s.",
                        column=name.upper(),
                        value=raw,
                        line=first_line,
                    ),
                )

    def _check_region(self, row, lookups):
        code = row.values["region_code"]
        region = lookups.regions.get(code)
        if code and not region:
            row.add_problem(
                "region_code", self.env._("Unknown zone code %(code)s.", code=code)
            )
        elif region and region.id not in lookups.allowed_region_ids:
            row.add_problem(
                "region_code",
                self.env._(
                    "Zone %(zone)s is not one of your zones.", zone=region.display_name
                ),
            )
        return region

    def _check_offer(self, row, lookups):
        """Return (tariff, options) after checking codes, kinds and compatibility."""
        service_type = row.typed["service_type"]
        tariff = self._catalog_item(
            row, lookups, "tariff_code", row.values["tariff_code"]
        )
        if tariff and service_type and tariff.telecom_service_type != service_type:
            row.add_problem(
                "tariff_code",
                self.env._(
                    "Tariff %(code)s is for %(tariff_type)s services, "
                    "not %(service_type)s.",
                    code=tariff.telecom_billing_code,
                    tariff_type=tariff.telecom_service_type,
                    service_type=service_type,
                ),
            )
        options = self.env["product.product"]
        for code in row.option_codes:
            option = self._catalog_item(row, lookups, "option_codes", code)
            if not option:
                continue
            if tariff and not tariff.product_tmpl_id._telecom_allows_option(
                option.product_tmpl_id
            ):
                row.add_problem(
                    "option_codes",
                    self.env._(
                        "Option %(option)s cannot be added to tariff %(tariff)s.",
                        option=code,
                        tariff=tariff.telecom_billing_code,
                    ),
                )
            options |= option
        return tariff, options

    def _catalog_item(self, row, lookups, column, code):
        """The catalog item of ``code``, a tariff or an option as ``column`` says."""
        if not code:
            return None
        product = lookups.catalog.get(code)
        if column == "tariff_code":
            if not product:
                message = self.env._("Unknown tariff code %(code)s.", code=code)
            elif product.telecom_kind != "tariff":
                message = self.env._("%(code)s is not a tariff plan.", code=code)
            else:
                return product
        elif not product:
            message = self.env._("Unknown option code %(code)s.", code=code)
        elif product.telecom_kind != "option":
            message = self.env._("%(code)s is not an option.", code=code)
        else:
            return product
        row.add_problem(column, message)
        return None

    def _check_customer(self, row, lookups):
        """Return the id of the existing subscriber of the row (False if new)."""
        ref = row.values["customer_id"]
        if not ref:
            return False
        known = lookups.partners.get(ref)
        if known and known.ambiguous:
            row.add_problem(
                "customer_id",
                self.env._(
                    "Several subscribers have the customer ID %(customer)s; merge them "
                    "first.",
                    customer=ref,
                ),
            )
        elif known and not known.visible:
            row.add_problem(
                "customer_id",
                self.env._(
                    "Customer %(customer)s belongs to a zone you do not manage.",
                    customer=ref,
                ),
            )
        known_type = known.is_company if known else lookups.new_customer_types.get(ref)
        if row.values["subscriber_type"] and known_type not in (
            None,
            row.typed["is_company"],
        ):
            row.add_problem(
                "subscriber_type",
                self.env._(
                    "Customer %(customer)s is already registered as a %(known)s.",
                    customer=ref,
                    known=self.env._("company") if known_type else self.env._("person"),
                ),
            )
        return known.id if known else False

    def _check_account(self, row, lookups, partner_id):
        """Return the id of the existing account of the row (False if new)."""
        number = row.values["account_number"]
        if not number:
            return False
        known = lookups.accounts.get(number)
        new_holder = lookups.new_account_holders.get(number)
        if known and not known.visible:
            row.add_problem(
                "account_number",
                self.env._(
                    "Account %(account)s belongs to a zone you do not manage.",
                    account=number,
                ),
            )
        elif (known and known.holder_id != partner_id) or new_holder not in (
            None,
            row.values["customer_id"],
        ):
            row.add_problem(
                "account_number",
                self.env._(
                    "Account %(account)s belongs to another subscriber.", account=number
                ),
            )
        return known.id if known else False

    def _is_already_imported(self, row, lookups, account_id):
        """A service with the same account, type, numbers and address exists."""
        if not account_id:
            return False
        identity = (
            account_id,
            row.typed["service_type"],
            row.typed["msisdn"],
            row.typed["iccid"],
            row.values["installation_address"] or False,
        )
        reference = lookups.identities.get(identity)
        if reference:
            row.skip_message = self.env._(
                "Already imported: service %(service)s exists.", service=reference
            )
        return bool(reference)

    def _check_live_identifiers(self, row, lookups):
        """Another live service holds the MSISDN or ICCID of this live row."""
        if not row.is_live:
            return
        for name in LIVE_IDENTIFIERS:
            value = row.typed[name]
            if value and value in lookups.live[name]:
                row.add_problem(
                    name,
                    self.env._(
                        "%(column)s %(value)s is already used by another service.",
                        column=name.upper(),
                        value=value,
                    ),
                )

    def _remember_new_records(self, row, lookups, partner_id, account_id):
        """The next rows of the chunk see the customer and account this row creates."""
        ref = row.values["customer_id"]
        if not partner_id:
            lookups.new_customer_types.setdefault(ref, row.typed["is_company"])
        if not account_id:
            lookups.new_account_holders.setdefault(row.values["account_number"], ref)

    def _prepare_plan(self, row, lookups, region, tariff, options):
        return RowPlan(
            line_number=row.line_number,
            customer_ref=row.values["customer_id"],
            account_number=row.values["account_number"],
            partner_vals=self._prepare_partner_vals(row, region),
            account_vals=self._prepare_account_vals(row, region, lookups.company_id),
            service_vals=self._prepare_service_vals(row, region, tariff, options),
        )

    def _prepare_partner_vals(self, row, region):
        is_company = row.typed["is_company"]
        return {
            "name": row.values["subscriber_name"],
            "ref": row.values["customer_id"],
            "is_company": is_company,
            "telecom_is_subscriber": True,
            "telecom_region_id": region.id,
            "telecom_segment": "b2b" if is_company else "mass",
            "telecom_customer_since": row.typed["activation_date"],
            "phone": row.typed["phone"],
            "email": row.typed["email"],
        }

    def _prepare_account_vals(self, row, region, company_id):
        return {
            "name": row.values["account_number"],
            "region_id": region.id,
            "billing_reference": row.values["billing_id"] or False,
            "company_id": company_id,
        }

    def _prepare_service_vals(self, row, region, tariff, options):
        typed = row.typed
        return {
            "service_type": typed["service_type"],
            "state": typed["status"],
            "block_reason": typed["block_reason"],
            "msisdn": typed["msisdn"],
            "iccid": typed["iccid"],
            "imsi": typed["imsi"],
            "installation_address": row.values["installation_address"] or False,
            "access_technology": typed["access_technology"],
            "tariff_id": tariff.id,
            "option_ids": [Command.set(options.ids)],
            "activation_date": typed["activation_date"],
            "region_id": region.id,
        }

    # ------------------------------------------------------------------
    # creation: batched, with a row-by-row fallback
    # ------------------------------------------------------------------
    @api.model
    def _create_records(self, job, plans, lookups):
        """Create the partners, accounts and services of ``plans`` in batches.

        Should a batch fail on a check the validation missed, it is redone row by
        row, each row in a savepoint, so one bad row never costs the others.
        Returns (new services, problems of the rows the database refused), the
        problems as ``(line, column, value, message)``.
        """
        if not plans:
            return self.env["telecom.service"], []
        try:
            with self.env.cr.savepoint():
                partner_ids, account_ids, services = self._create_from_plans(
                    plans, lookups
                )
        except (UserError, psycopg2.IntegrityError) as error:
            _logger.info(
                "Billing import %s: batch refused (%s), row by row", job.id, error
            )
            return self._create_row_by_row(plans, lookups)
        self._remember_created(lookups, partner_ids, account_ids)
        return services, []

    def _create_row_by_row(self, plans, lookups):
        services = self.env["telecom.service"]
        refused = []
        for plan in plans:
            try:
                with self.env.cr.savepoint():
                    partner_ids, account_ids, service = self._create_from_plans(
                        [plan], lookups
                    )
            except (UserError, psycopg2.IntegrityError) as error:
                message = self.env._(
                    "The row could not be saved: %(error)s",
                    error=self._error_message(error),
                )
                refused.append((plan.line_number, "", "", message))
                continue
            self._remember_created(lookups, partner_ids, account_ids)
            services |= service
        return services, refused

    @api.model
    def _error_message(self, error):
        """A translated, readable message for an exception."""
        if isinstance(error, psycopg2.IntegrityError):
            error = _as_validation_error(self.env, error)
        if isinstance(error, UserError):
            return error.args[0]
        return self.env._("Unexpected error: %(error)s", error=repr(error))

    def _remember_created(self, lookups, partner_ids, account_ids):
        for ref, partner_id in partner_ids.items():
            lookups.partners[ref] = KnownPartner(partner_id, None, True, False)
        for number, account_id in account_ids.items():
            lookups.accounts[number] = KnownAccount(account_id, None, True)

    def _create_from_plans(self, plans, lookups):
        """Return ({ref: new partner id}, {number: new account id}, new services)."""
        partner_ids = {ref: known.id for ref, known in lookups.partners.items()}
        new_partner_ids = self._create_partners(plans, partner_ids)
        partner_ids.update(new_partner_ids)
        account_ids = {number: known.id for number, known in lookups.accounts.items()}
        new_account_ids = self._create_accounts(plans, account_ids, partner_ids)
        account_ids.update(new_account_ids)
        services = self._create_services(plans, account_ids)
        return new_partner_ids, new_account_ids, services

    def _create_partners(self, plans, partner_ids):
        """Create the customers of ``plans`` missing from ``partner_ids``, once each."""
        new_partners = {}
        for plan in plans:
            if plan.customer_ref not in partner_ids:
                new_partners.setdefault(plan.customer_ref, plan.partner_vals)
        partners = self.env["res.partner"].create(list(new_partners.values()))
        return dict(zip(new_partners, partners.ids, strict=True))

    def _create_accounts(self, plans, account_ids, partner_ids):
        """Create the accounts of ``plans`` missing from ``account_ids``, once each."""
        new_accounts = {}
        for plan in plans:
            if plan.account_number not in account_ids:
                new_accounts.setdefault(
                    plan.account_number,
                    {**plan.account_vals, "partner_id": partner_ids[plan.customer_ref]},
                )
        accounts = self.env["telecom.account"].create(list(new_accounts.values()))
        return dict(zip(new_accounts, accounts.ids, strict=True))

    def _create_services(self, plans, account_ids):
        """Create one service per plan, its identifiers normalised by the parsing."""
        references = self._reserve_service_references(len(plans))
        Service = self.env["telecom.service"].with_context(
            telecom_identifiers_normalized=True
        )
        services = Service.create(
            [
                {
                    **plan.service_vals,
                    "account_id": account_ids[plan.account_number],
                    "reference": reference,
                }
                for plan, reference in zip(plans, references, strict=True)
            ]
        )
        return services.with_env(self.env)

    def _reserve_service_references(self, count):
        """Draw ``count`` service references in one query instead of one per service."""
        Sequence = self.env["ir.sequence"]
        sequence = Sequence.search(
            [
                ("code", "=", "telecom.service"),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if (
            not sequence
            or sequence.implementation != "standard"
            or sequence.use_date_range
        ):
            return [Sequence.next_by_code("telecom.service") for _index in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        prefix, suffix = sequence._get_prefix_suffix()
        padding = sequence.padding
        return [
            f"{prefix}{number:0{padding}d}{suffix}"
            for (number,) in self.env.cr.fetchall()
        ]
