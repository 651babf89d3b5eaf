"""What one chunk of a billing import refers to, loaded with one query per kind.

``telecom.import.batch`` asks for the lookups of the chunk (zones, catalog,
subscribers, accounts) before it checks the chunk's rows in SQL: each lookup
becomes a temporary table the checks join. Zones and catalog are few distinct
codes, checked through the ORM (record rules, option compatibility); subscribers
and accounts are read by SQL, their visibility through the record rules in one
search each.
"""

from datetime import date

from odoo import api, models
from odoo.tools import SQL

from ..tools.billing_csv import ISO_DATE
from .telecom_import_stage import option_list

ALL_ZONES_GROUP = "telecom_subscriber.telecom_subscriber_group_all_zones"


class TelecomImportLookup(models.AbstractModel):
    """Loads the lookups of the chunk table into temporary tables; stateless."""

    _name = "telecom.import.lookup"
    _description = "Billing Import Lookups"

    @api.model
    def _load_lookups(self, job, rows):
        """Load what the staged ``rows`` (SQL) of the import ``job`` refer to."""
        codes = self._distinct_codes(rows)
        self._load_regions(codes["region_code"])
        self._load_catalog(codes["tariff_code"] + codes["option_code"])
        self._load_dates(codes["activation_date"])
        self._load_partners(codes["customer_id"], job.company_id.id)
        self._load_accounts(codes["account_number"], job.company_id.id)

    def _distinct_codes(self, rows):
        """``{column: distinct non-empty values}`` of the ``rows``, in one scan."""
        columns = {
            "region_code": SQL("row.region_code"),
            "tariff_code": SQL("row.tariff_code"),
            "option_code": SQL("option_code"),
            "activation_date": SQL("row.activation_date"),
            "customer_id": SQL("row.customer_id"),
            "account_number": SQL("row.account_number"),
        }
        self.env.cr.execute(
            SQL(
                """SELECT %(aggregates)s
                     FROM %(rows)s row
                     LEFT JOIN LATERAL unnest(%(option_list)s)
                          AS option_codes(option_code) ON true""",
                aggregates=SQL(", ").join(
                    SQL(
                        "array_agg(DISTINCT btrim(%s)) FILTER (WHERE btrim(%s) != '')",
                        expression,
                        expression,
                    )
                    for expression in columns.values()
                ),
                rows=rows,
                option_list=option_list(SQL("row.option_codes")),
            )
        )
        values = self.env.cr.fetchone()
        return {
            column: list(value or [])
            for column, value in zip(columns, values, strict=True)
        }

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _temp_table(self, name, columns, rows):
        """(Re)create the temporary table ``name`` holding ``rows``.

        ``columns`` are ``(name, SQL type)``; the rows are passed as arrays.
        """
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(name)))
        arrays = [list(values) for values in zip(*rows, strict=True)] or [
            [] for _column in columns
        ]
        cr.execute(
            SQL(
                "CREATE TEMP TABLE %(name)s ON COMMIT DROP AS "
                "SELECT * FROM unnest(%(arrays)s) AS lookup(%(columns)s)",
                name=SQL.identifier(name),
                arrays=SQL(", ").join(
                    SQL("%s::%s[]", values, SQL(sql_type))
                    for values, (_column, sql_type) in zip(arrays, columns, strict=True)
                ),
                columns=SQL(", ").join(
                    SQL.identifier(column) for column, _type in columns
                ),
            )
        )

    # ------------------------------------------------------------------
    # zones and catalog: few codes, through the ORM
    # ------------------------------------------------------------------
    def _load_regions(self, codes):
        """``telecom_import_region``: code, id, allowed to the user, name."""
        regions = self.env["telecom.region"]._get_by_codes(codes)
        allowed = self._allowed_region_ids(list(regions.values()))
        self._temp_table(
            "telecom_import_region",
            [
                ("code", "text"),
                ("region_id", "integer"),
                ("allowed", "boolean"),
                ("label", "text"),
            ],
            [
                (code, region.id, region.id in allowed, region.display_name)
                for code, region in regions.items()
            ],
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

    def _load_catalog(self, codes):
        """``telecom_import_product`` (code, product, kind, service type) and
        ``telecom_import_compatible`` (tariff, option) pairs allowed together."""
        products = self.env["product.product"].search(
            [("telecom_billing_code", "in", codes), ("telecom_kind", "!=", False)]
        )
        self._temp_table(
            "telecom_import_product",
            [
                ("code", "text"),
                ("product_id", "integer"),
                ("kind", "text"),
                ("service_type", "text"),
            ],
            [
                (
                    product.telecom_billing_code,
                    product.id,
                    product.telecom_kind,
                    product.telecom_service_type or None,
                )
                for product in products
            ],
        )
        tariffs = products.filtered(lambda product: product.telecom_kind == "tariff")
        options = products - tariffs
        self._temp_table(
            "telecom_import_compatible",
            [("tariff_id", "integer"), ("option_id", "integer")],
            [
                (tariff.id, option.id)
                for tariff in tariffs
                for option in options
                if tariff.product_tmpl_id._telecom_allows_option(option.product_tmpl_id)
            ],
        )

    def _load_dates(self, values):
        """``telecom_import_date``: each distinct activation date of the rows,
        parsed, or the error of a bad one."""
        verdicts = []
        for value in values:
            try:
                if not ISO_DATE.match(value):
                    raise ValueError(value)
                verdicts.append((value, date.fromisoformat(value).isoformat(), None))
            except ValueError:
                message = self.env._(
                    "%(value)s is not a date in the YYYY-MM-DD format.", value=value
                )
                verdicts.append((value, None, message))
        self._temp_table(
            "telecom_import_date",
            [("value", "text"), ("day", "date"), ("error", "text")],
            verdicts,
        )

    # ------------------------------------------------------------------
    # subscribers and accounts: by SQL, those the user cannot see included
    # ------------------------------------------------------------------
    def _load_partners(self, refs, company_id):
        """``telecom_import_partner``: customer id, first subscriber, its type,
        visible to the user, several subscribers with that customer id."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS telecom_import_partner"))
        # as a sudo search: a customer of a zone the user does not manage must be
        # reported, not registered a second time; only ids, refs and types are read
        cr.execute(
            SQL(
                """CREATE TEMP TABLE telecom_import_partner ON COMMIT DROP AS
                   SELECT partner.ref, min(partner.id) AS partner_id,
                          (array_agg(partner.is_company ORDER BY partner.id))[1]
                              AS is_company,
                          false AS visible, count(*) > 1 AS ambiguous
                     FROM res_partner partner
                    WHERE partner.ref = ANY(%(refs)s)
                      AND partner.telecom_is_subscriber AND partner.active
                      -- not indexable on purpose: the refs' index alone finds
                      -- them (ANDed with the company's, stale statistics after
                      -- an import's first chunks read every shared partner)
                      AND coalesce(partner.company_id, %(company)s) = %(company)s
                    GROUP BY partner.ref""",
                refs=refs,
                company=company_id,
            )
        )
        self._mark_visible("telecom_import_partner", "partner_id", "res.partner")

    def _load_accounts(self, numbers, company_id):
        """``telecom_import_account``: number, account, holder, visible."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS telecom_import_account"))
        # as a sudo search: account numbers are unique per branch whatever the
        # zone; an account the user cannot see must be reported, not hit the
        # unique constraint
        cr.execute(
            SQL(
                """CREATE TEMP TABLE telecom_import_account ON COMMIT DROP AS
                   SELECT account.name AS number, account.id AS account_id,
                          account.partner_id AS holder_id, false AS visible
                     FROM telecom_account account
                    WHERE account.name = ANY(%(numbers)s)
                      AND account.company_id = %(company)s""",
                numbers=numbers,
                company=company_id,
            )
        )
        self._mark_visible("telecom_import_account", "account_id", "telecom.account")

    def _mark_visible(self, table, id_column, model_name):
        """Flag the records of ``table`` the user may read (record rules)."""
        cr = self.env.cr
        cr.execute(
            SQL("SELECT %s FROM %s", SQL.identifier(id_column), SQL.identifier(table))
        )
        ids = [row[0] for row in cr.fetchall()]
        if not ids:
            return
        visible = self.env[model_name].search([("id", "in", ids)]).ids
        cr.execute(
            SQL(
                "UPDATE %(table)s SET visible = true WHERE %(column)s = ANY(%(ids)s)",
                table=SQL.identifier(table),
                column=SQL.identifier(id_column),
                ids=visible,
            )
        )
