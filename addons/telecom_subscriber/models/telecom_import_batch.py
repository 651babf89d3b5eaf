"""One chunk of a billing import: checks and creation, set-based in SQL.

``telecom.import`` loads a chunk of its staged rows into the chunk table
(``telecom.import.stage``, typed and normalised values), then:

1. ``telecom.import.lookup`` loads what the rows refer to (zones, catalog,
   subscribers, accounts) into temporary tables, one query per kind;
2. :meth:`~TelecomImportBatch._check_chunk` writes every problem of every row
   into ``telecom_import_problem`` (one ``INSERT … SELECT`` per kind of check),
   marks the rows whose service exists already as skipped and the others,
   valid, to create;
3. :meth:`~TelecomImportBatch._create_records` creates partners, accounts,
   services, their options and status history with one ``INSERT … SELECT``
   each (``tools/bulk_insert.py``), falling back to row by row (one savepoint
   per row) should the database refuse the batch.
"""

import json
import logging

import psycopg2

from odoo import api, models
from odoo.exceptions import UserError
from odoo.service.model import _as_validation_error
from odoo.tools import SQL

from ..tools import bulk_insert
from ..tools.billing_csv import (
    CHOICE_COLUMNS,
    COLUMNS,
    LIVE_IDENTIFIERS,
    REQUIRED_COLUMNS,
)
from .telecom_import_stage import CHUNK_TABLE
from .telecom_residency import is_allowed

_logger = logging.getLogger(__name__)

PROBLEM_TABLE = "telecom_import_problem"
LIVE = SQL("chunk.t_status IS DISTINCT FROM 'terminated'")
ACCEPTED = SQL("NOT chunk.rejected")
TO_CREATE = SQL("NOT chunk.rejected AND chunk.skip_reference IS NULL")


def mark(name):
    """Placeholder of a per-row value in a translated message (see sql_message)."""
    return f"\x01{name}\x01"


def sql_message(text, **values):
    """SQL of the translated ``text`` with the :func:`mark` of each of ``values``
    replaced by its SQL expression (one message per row, one statement)."""
    message = SQL("%s", text)
    for name, expression in values.items():
        message = SQL("replace(%s, %s, (%s)::text)", message, mark(name), expression)
    return message


class TelecomImportBatch(models.AbstractModel):
    """Checks and creates the records of the chunk table; stateless.

    Called in the environment of the import (its user, company and language).
    """

    _name = "telecom.import.batch"
    _description = "Billing Import Batch"

    # ------------------------------------------------------------------
    # problems
    # ------------------------------------------------------------------
    def _add_problems(self, column, message, where, joins=None, value=None):
        """Record ``message`` (SQL) on ``column`` for the chunk rows ``where``."""
        if value is None:
            value = SQL.identifier("chunk", column) if column else SQL("''")
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(problems)s (seq, line_number, col, value, message)
                   SELECT chunk.seq, chunk.line_number, %(column)s, %(value)s,
                          %(message)s
                     FROM %(chunk)s chunk %(joins)s
                    WHERE %(where)s""",
                problems=SQL.identifier(PROBLEM_TABLE),
                column=column,
                value=value,
                message=message,
                chunk=SQL.identifier(CHUNK_TABLE),
                joins=joins or SQL(),
                where=where,
            )
        )

    def _add_problem_cases(self, cases, joins=None):
        """Record several kinds of problem in one pass over the chunk: ``cases``
        are ``(column, condition, message)`` (SQL), a row getting the message of
        each condition it meets, in the order of ``cases``. The rows meeting none
        (most) are left out before the messages are built."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO %(problems)s (seq, line_number, col, value, message)
                   SELECT chunk.seq, chunk.line_number, problem.col,
                          problem.value, problem.message
                     FROM %(chunk)s chunk %(joins)s
                    CROSS JOIN LATERAL (VALUES %(cases)s)
                          AS problem(col, value, message)
                    WHERE (%(any)s) AND problem.message IS NOT NULL""",
                problems=SQL.identifier(PROBLEM_TABLE),
                chunk=SQL.identifier(CHUNK_TABLE),
                joins=joins or SQL(),
                any=SQL(" OR ").join(SQL("(%s)", case[1]) for case in cases),
                cases=SQL(", ").join(
                    SQL(
                        "(%s, %s, CASE WHEN %s THEN %s END)",
                        column,
                        SQL.identifier("chunk", column) if column else SQL("''"),
                        condition,
                        message,
                    )
                    for column, condition, message in cases
                ),
            )
        )

    def _mark_rejected(self):
        """Rows with a problem are rejected: later checks that need a sound row
        (and the first-row-wins rules) leave them out."""
        self.env.cr.execute(
            SQL(
                "UPDATE %(chunk)s SET rejected = true "
                "WHERE NOT rejected AND seq IN (SELECT seq FROM %(problems)s)",
                chunk=SQL.identifier(CHUNK_TABLE),
                problems=SQL.identifier(PROBLEM_TABLE),
            )
        )

    def _update_chunk(self, assignments, joins, where=None):
        self.env.cr.execute(
            SQL(
                "UPDATE %(chunk)s chunk SET %(assignments)s FROM %(joins)s %(where)s",
                chunk=SQL.identifier(CHUNK_TABLE),
                assignments=assignments,
                joins=joins,
                where=SQL("WHERE %s", where) if where else SQL(),
            )
        )

    # ------------------------------------------------------------------
    # checks
    # ------------------------------------------------------------------
    @api.model
    def _check_chunk(self, job):
        """Record the problems of every row of the chunk, flag the rejected rows
        and the rows to skip (imported before): the others are to create."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(PROBLEM_TABLE)))
        cr.execute(
            SQL(
                "CREATE TEMP TABLE %s (seq integer, line_number integer, col text, "
                "value text, message text) ON COMMIT DROP",
                SQL.identifier(PROBLEM_TABLE),
            )
        )
        self._check_format()
        self._check_file_duplicates(job)
        self._check_references()
        self._check_jurisdictions(job)
        self._check_options()
        self._check_customers()
        self._mark_rejected()
        self._check_customer_types()
        self._check_accounts()
        self._mark_rejected()
        self._check_already_imported()
        self._check_live_identifiers()
        self._mark_rejected()

    def _check_format(self):
        """The format of each value (``billing_csv.parse_row``, set-based): all
        the checks of a row in one pass over the chunk."""
        env = self.env
        checks = [
            (
                "",
                SQL("chunk.extra_cells > 0"),
                sql_message(
                    env._(
                        "The line has %(count)s values but the header only "
                        "%(expected)s columns.",
                        count=mark("count"),
                        expected=len(COLUMNS),
                    ),
                    count=SQL("chunk.extra_cells + %s", len(COLUMNS)),
                ),
            )
        ]
        checks += [
            (
                column,
                SQL("%s = ''", SQL.identifier("chunk", column)),
                SQL("%s", env._("%(column)s is required.", column=column)),
            )
            for column in REQUIRED_COLUMNS
        ]
        checks += [
            (
                column,
                SQL(
                    "%s != '' AND %s IS NULL",
                    SQL.identifier("chunk", column),
                    SQL.identifier("chunk", f"t_{column}"),
                ),
                sql_message(
                    env._(
                        "%(value)s is not a valid %(column)s; expected one of: "
                        "%(choices)s.",
                        value=mark("value"),
                        column=column,
                        choices=", ".join(choices),
                    ),
                    value=SQL.identifier("chunk", column),
                ),
            )
            for column, choices in CHOICE_COLUMNS.items()
        ]
        checks.append(
            (
                "block_reason",
                SQL(
                    "chunk.t_block_reason IS NOT NULL "
                    "AND chunk.t_status IS DISTINCT FROM 'blocked'"
                ),
                SQL(
                    "%s",
                    env._("A block reason is only allowed with the blocked status."),
                ),
            )
        )
        checks += [
            (
                column,
                SQL("%s IS NOT NULL", SQL.identifier("chunk", f"{column}_error")),
                SQL.identifier("chunk", f"{column}_error"),
            )
            for column in ("activation_date", "msisdn", "iccid", "imsi")
        ]
        checks.append(
            (
                "msisdn",
                SQL("chunk.t_service_type = 'mobile' AND chunk.msisdn = ''"),
                SQL("%s", env._("A mobile line needs an MSISDN.")),
            )
        )
        checks += [
            (
                column,
                SQL("%s IS NOT NULL", SQL.identifier("chunk", f"{column}_error")),
                SQL.identifier("chunk", f"{column}_error"),
            )
            for column in ("phone", "email")
        ]
        self._add_problem_cases(checks)

    def _check_file_duplicates(self, job):
        """A live row repeating the MSISDN/ICCID of an earlier live row: the same
        text anywhere in the file (the scan of the staging), or the same number
        written differently in this chunk."""
        duplicates = json.dumps(job.duplicate_identifiers or {})
        for name in LIVE_IDENTIFIERS:
            normalized = SQL.identifier("chunk", f"{name}_n")
            first_line = SQL(
                """CASE WHEN in_file.line < chunk.line_number THEN in_file.line
                        WHEN in_chunk.line < chunk.line_number THEN in_chunk.line
                   END"""
            )
            self._add_problems(
                name,
                sql_message(
                    self.env._(
                        "%(column)s %(value)s already appears on line %(line)s.",
                        column=name.upper(),
                        value=mark("value"),
                        line=mark("line"),
                    ),
                    value=SQL.identifier("chunk", name),
                    line=first_line,
                ),
                SQL("%s AND %s IS NOT NULL", LIVE, first_line),
                joins=SQL(
                    """LEFT JOIN (SELECT key, value::integer AS line
                                    FROM jsonb_each_text(%(duplicates)s::jsonb
                                                         -> %(name)s)) in_file
                             ON in_file.key = %(key)s
                       LEFT JOIN (SELECT %(normalized_column)s AS number,
                                         min(line_number) AS line
                                    FROM %(chunk)s chunk
                                   WHERE %(live)s AND %(normalized)s IS NOT NULL
                                   GROUP BY 1) in_chunk
                             ON in_chunk.number = %(normalized)s""",
                    duplicates=duplicates,
                    name=name,
                    key=SQL.identifier("chunk", f"{name}_key"),
                    normalized_column=SQL.identifier(f"{name}_n"),
                    chunk=SQL.identifier(CHUNK_TABLE),
                    live=LIVE,
                    normalized=normalized,
                ),
            )

    def _check_references(self):
        """Zone and tariff codes: known, the user's zones, tariffs of the row's
        service type; in one pass over the chunk."""
        env = self.env
        code = SQL("chunk.tariff_code")
        cases = [
            (
                "region_code",
                SQL("chunk.region_code != '' AND region.code IS NULL"),
                sql_message(
                    env._("Unknown zone code %(code)s.", code=mark("code")),
                    code=SQL("chunk.region_code"),
                ),
            ),
            (
                "region_code",
                SQL("NOT region.allowed"),
                sql_message(
                    env._("Zone %(zone)s is not one of your zones.", zone=mark("zone")),
                    zone=SQL("region.label"),
                ),
            ),
            (
                "tariff_code",
                SQL("chunk.tariff_code != '' AND product.code IS NULL"),
                sql_message(
                    env._("Unknown tariff code %(code)s.", code=mark("code")),
                    code=code,
                ),
            ),
            (
                "tariff_code",
                SQL("product.kind != 'tariff'"),
                sql_message(
                    env._("%(code)s is not a tariff plan.", code=mark("code")),
                    code=code,
                ),
            ),
            (
                "tariff_code",
                SQL(
                    "chunk.tariff_id IS NOT NULL AND chunk.t_service_type IS NOT NULL "
                    "AND product.service_type IS DISTINCT FROM chunk.t_service_type"
                ),
                sql_message(
                    env._(
                        "Tariff %(code)s is for %(tariff_type)s services, "
                        "not %(service_type)s.",
                        code=mark("code"),
                        tariff_type=mark("tariff_type"),
                        service_type=mark("service_type"),
                    ),
                    code=code,
                    tariff_type=SQL("coalesce(product.service_type, 'False')"),
                    service_type=SQL("chunk.t_service_type"),
                ),
            ),
        ]
        self._add_problem_cases(
            cases,
            joins=SQL(
                """LEFT JOIN telecom_import_region region
                          ON region.code = chunk.region_code
                   LEFT JOIN telecom_import_product product
                          ON product.code = chunk.tariff_code"""
            ),
        )

    def _check_jurisdictions(self, job):
        """Rows of a zone whose jurisdiction this database may not store
        (``telecom.residency``): refused, and journaled once per chunk in the
        personal data audit log."""
        Residency = self.env["telecom.residency"]
        allowed = Residency._allowed_jurisdictions()
        if not allowed:
            return
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT DISTINCT chunk.region_id FROM %s chunk "
                "WHERE chunk.region_id IS NOT NULL",
                SQL.identifier(CHUNK_TABLE),
            )
        )
        regions = self.env["telecom.region"].browse(row[0] for row in cr.fetchall())
        jurisdictions = Residency._region_jurisdictions(regions, job.company_id)
        refused = {
            region_id: jurisdiction
            for region_id, jurisdiction in jurisdictions.items()
            if region_id and not is_allowed(jurisdiction, allowed)
        }
        if not refused:
            return
        self._add_problems(
            "region_code",
            sql_message(
                self.env._(
                    "Zone %(zone)s is in jurisdiction %(jurisdiction)s, whose personal "
                    "data this database may not store (it stores %(allowed)s).",
                    zone=mark("zone"),
                    jurisdiction=mark("jurisdiction"),
                    allowed=", ".join(sorted(allowed)),
                ),
                zone=SQL("chunk.region_code"),
                jurisdiction=SQL("coalesce(refused.jurisdiction, '?')"),
            ),
            SQL("NOT chunk.rejected"),
            joins=SQL(
                "JOIN (VALUES %s) AS refused(region_id, jurisdiction) "
                "ON refused.region_id = chunk.region_id",
                SQL(", ").join(
                    SQL("(%s, %s)", region_id, jurisdiction or None)
                    for region_id, jurisdiction in refused.items()
                ),
            ),
        )
        if not cr.rowcount:
            return
        self.env["telecom.audit.log"]._log(
            job,
            "change",
            ["subscriber_name", "phone", "email"],
            denied=True,
            jurisdiction=",".join(sorted({code or "?" for code in refused.values()})),
        )

    def _check_options(self):
        """Option codes: known options, compatible with the row's tariff."""
        env = self.env
        code = SQL("option_code.code")
        cases = [
            (
                "option_codes",
                SQL("option.code IS NULL"),
                sql_message(
                    env._("Unknown option code %(code)s.", code=mark("code")),
                    code=code,
                ),
            ),
            (
                "option_codes",
                SQL("option.kind != 'option'"),
                sql_message(
                    env._("%(code)s is not an option.", code=mark("code")),
                    code=code,
                ),
            ),
            (
                "option_codes",
                SQL(
                    "option.kind = 'option' AND chunk.tariff_id IS NOT NULL "
                    "AND compatible.tariff_id IS NULL"
                ),
                sql_message(
                    env._(
                        "Option %(option)s cannot be added to tariff %(tariff)s.",
                        option=mark("code"),
                        tariff=mark("tariff"),
                    ),
                    code=code,
                    tariff=SQL("chunk.tariff_code"),
                ),
            ),
        ]
        self._add_problem_cases(
            cases,
            joins=SQL(
                """CROSS JOIN unnest(chunk.option_list) AS option_code(code)
                   LEFT JOIN telecom_import_product option
                          ON option.code = option_code.code
                   LEFT JOIN telecom_import_compatible compatible
                          ON compatible.tariff_id = chunk.tariff_id
                         AND compatible.option_id = option.product_id"""
            ),
        )

    def _check_customers(self):
        """Existing subscribers: one per customer id, in the user's zones."""
        env = self.env
        customer = SQL("chunk.customer_id")
        cases = [
            (
                "customer_id",
                SQL("known.ambiguous"),
                sql_message(
                    env._(
                        "Several subscribers have the customer ID %(customer)s; "
                        "merge them first.",
                        customer=mark("customer"),
                    ),
                    customer=customer,
                ),
            ),
            (
                "customer_id",
                SQL("NOT known.ambiguous AND NOT known.visible"),
                sql_message(
                    env._(
                        "Customer %(customer)s belongs to a zone you do not manage.",
                        customer=mark("customer"),
                    ),
                    customer=customer,
                ),
            ),
        ]
        self._add_problem_cases(
            cases,
            joins=SQL(
                "JOIN telecom_import_partner known ON known.ref = chunk.customer_id"
            ),
        )

    def _first_accepted(self, key, value):
        """``(key, value)`` of the first accepted row of each new ``key``: the
        row that creates the subscriber or account the later rows share."""
        return SQL(
            """(SELECT DISTINCT ON (%(key)s) %(key)s AS key, %(value)s AS value
                  FROM %(chunk)s chunk
                 WHERE %(accepted)s
                 ORDER BY %(key)s, chunk.line_number)""",
            key=key,
            value=value,
            chunk=SQL.identifier(CHUNK_TABLE),
            accepted=ACCEPTED,
        )

    def _check_customer_types(self):
        env = self.env
        new_type = self._first_accepted(
            SQL("chunk.customer_id"),
            SQL("coalesce(chunk.t_subscriber_type = 'company', false)"),
        )
        known_type = SQL("coalesce(chunk.partner_is_company, new_type.value)")
        self._add_problems(
            "subscriber_type",
            sql_message(
                env._(
                    "Customer %(customer)s is already registered as a %(known)s.",
                    customer=mark("customer"),
                    known=mark("known"),
                ),
                customer=SQL("chunk.customer_id"),
                known=SQL(
                    "CASE WHEN %s THEN %s ELSE %s END",
                    known_type,
                    env._("company"),
                    env._("person"),
                ),
            ),
            SQL(
                "chunk.subscriber_type != '' AND %s IS NOT NULL "
                "AND %s != coalesce(chunk.t_subscriber_type = 'company', false)",
                known_type,
                known_type,
            ),
            joins=SQL(
                "LEFT JOIN %s new_type ON new_type.key = chunk.customer_id "
                "AND chunk.partner_id IS NULL",
                new_type,
            ),
        )

    def _check_accounts(self):
        """Existing accounts: visible, of the row's subscriber; a new account
        belongs to the customer of its first row."""
        env = self.env
        account = SQL("chunk.account_number")
        cases = [
            (
                "account_number",
                SQL("NOT known.visible"),
                sql_message(
                    env._(
                        "Account %(account)s belongs to a zone you do not manage.",
                        account=mark("account"),
                    ),
                    account=account,
                ),
            ),
            (
                "account_number",
                SQL(
                    "(known.visible AND known.holder_id IS DISTINCT FROM "
                    "chunk.partner_id) OR (known.number IS NULL "
                    "AND new_holder.value != chunk.customer_id)"
                ),
                sql_message(
                    env._(
                        "Account %(account)s belongs to another subscriber.",
                        account=mark("account"),
                    ),
                    account=account,
                ),
            ),
        ]
        self._add_problem_cases(
            cases,
            joins=SQL(
                """LEFT JOIN telecom_import_account known
                          ON known.number = chunk.account_number
                   LEFT JOIN %s new_holder ON new_holder.key = chunk.account_number""",
                self._first_accepted(account, SQL("chunk.customer_id")),
            ),
        )

    def _check_already_imported(self):
        """A service with the same account, type, numbers and address exists."""
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM %s chunk WHERE %s AND chunk.account_id IS NOT NULL "
                "LIMIT 1",
                SQL.identifier(CHUNK_TABLE),
                ACCEPTED,
            )
        )
        if not self.env.cr.fetchone():
            return  # no row on an existing account: nothing imported before
        self._update_chunk(
            SQL("skip_reference = service.reference"),
            SQL(
                """(SELECT DISTINCT ON (chunk.seq) chunk.seq, service.reference
                      FROM %(chunk)s chunk
                      JOIN telecom_service service
                        ON service.account_id = chunk.account_id
                       AND chunk.account_id IS NOT NULL
                       AND service.service_type = chunk.t_service_type
                       AND coalesce(service.msisdn, '') = coalesce(chunk.msisdn_n, '')
                       AND coalesce(service.iccid, '') = coalesce(chunk.iccid_n, '')
                       AND coalesce(service.installation_address, '')
                           = chunk.installation_address
                     WHERE %(accepted)s
                     ORDER BY chunk.seq, service.id) service""",
                chunk=SQL.identifier(CHUNK_TABLE),
                accepted=ACCEPTED,
            ),
            SQL("service.seq = chunk.seq"),
        )

    def _check_live_identifiers(self):
        """Another live service (in any zone) holds the MSISDN or ICCID."""
        for name in LIVE_IDENTIFIERS:
            normalized = SQL.identifier("chunk", f"{name}_n")
            self._add_problems(
                name,
                sql_message(
                    self.env._(
                        "%(column)s %(value)s is already used by another service.",
                        column=name.upper(),
                        value=mark("value"),
                    ),
                    value=normalized,
                ),
                SQL(
                    """%(accepted)s AND chunk.skip_reference IS NULL AND %(live)s
                       AND EXISTS (SELECT 1 FROM telecom_service service
                                    WHERE service.%(column)s = %(normalized)s
                                      AND service.state != 'terminated')""",
                    accepted=ACCEPTED,
                    live=LIVE,
                    column=SQL.identifier(name),
                    normalized=normalized,
                ),
            )

    # ------------------------------------------------------------------
    # creation: batched, with a row-by-row fallback
    # ------------------------------------------------------------------
    @api.model
    def _create_records(self, job):
        """Create the partners, accounts and services of the rows to create.

        Should the batch fail on a check the validation missed, it is redone row
        by row, each row in a savepoint, so one bad row never costs the others.
        Returns the number of services created; the rows the database refused
        get their problem.
        """
        company_id = job.company_id.id
        try:
            with self.env.cr.savepoint():
                return self._create_from_chunk(company_id, TO_CREATE)
        except (UserError, psycopg2.IntegrityError) as error:
            _logger.info(
                "Billing import %s: batch refused (%s), row by row", job.id, error
            )
        self.env.invalidate_all()
        return self._create_row_by_row(company_id)

    def _create_row_by_row(self, company_id):
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT seq FROM %s chunk WHERE %s ORDER BY seq",
                SQL.identifier(CHUNK_TABLE),
                TO_CREATE,
            )
        )
        created = 0
        for (seq,) in cr.fetchall():
            try:
                with cr.savepoint():
                    created += self._create_from_chunk(
                        company_id, SQL("%s AND chunk.seq = %s", TO_CREATE, seq)
                    )
                    self._reuse_new_records()
            except (UserError, psycopg2.IntegrityError) as error:
                self.env.invalidate_all()
                message = self.env._(
                    "The row could not be saved: %(error)s",
                    error=self._error_message(error),
                )
                self._add_problems("", SQL("%s", message), SQL("chunk.seq = %s", seq))
        self._mark_rejected()
        return created

    def _reuse_new_records(self):
        """The next rows of the customer and account a row created use them."""
        self._update_chunk(
            SQL("partner_id = new.id"),
            SQL("telecom_import_new_partner new"),
            SQL("new.key = chunk.customer_id AND chunk.partner_id IS NULL"),
        )
        self._update_chunk(
            SQL("account_id = new.id"),
            SQL("telecom_import_new_account new"),
            SQL("new.key = chunk.account_number AND chunk.account_id IS NULL"),
        )

    @api.model
    def _error_message(self, error):
        """A translated, readable message for an exception."""
        if isinstance(error, psycopg2.IntegrityError):
            error = _as_validation_error(self.env, error)
        if isinstance(error, UserError):
            return error.args[0]
        return self.env._("Unexpected error: %(error)s", error=repr(error))

    def _create_from_chunk(self, company_id, rows):
        """Create what the chunk ``rows`` (SQL condition) need in the branch
        ``company_id``; return the number of services created."""
        self._create_partners(rows)
        self._create_accounts(rows, company_id)
        count = self._create_services(rows, company_id)
        self.env.invalidate_all()
        return count

    def _new_keys(self, table, key, column, model_name, rows):
        """(Re)create ``table`` (key, seq of the first row, new id): one new record
        of ``model_name`` per ``key`` of the ``rows`` whose ``column`` is empty."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(table)))
        cr.execute(
            SQL(
                """CREATE TEMP TABLE %(table)s ON COMMIT DROP AS
                   SELECT key, seq, nextval(%(sequence)s::regclass)::integer AS id
                     FROM (SELECT DISTINCT ON (chunk.%(key)s) chunk.%(key)s AS key,
                                  chunk.seq
                             FROM %(chunk)s chunk
                            WHERE %(rows)s AND chunk.%(column)s IS NULL
                            ORDER BY chunk.%(key)s, chunk.line_number) first""",
                table=SQL.identifier(table),
                sequence=self.env["telecom.import.stage"]._id_sequence(model_name),
                key=SQL.identifier(key),
                chunk=SQL.identifier(CHUNK_TABLE),
                rows=rows,
                column=SQL.identifier(column),
            )
        )
        cr.execute(SQL("SELECT id FROM %s", SQL.identifier(table)))
        return [row[0] for row in cr.fetchall()]

    def _create_partners(self, rows):
        """One subscriber per new customer id, from its first row."""
        ids = self._new_keys(
            "telecom_import_new_partner",
            "customer_id",
            "partner_id",
            "res.partner",
            rows,
        )
        if not ids:
            return
        Partner = self.env["res.partner"]
        is_company = SQL("coalesce(chunk.t_subscriber_type = 'company', false)")
        columns = {
            "id": SQL("new.id"),
            "name": SQL("chunk.subscriber_name"),
            "complete_name": SQL("chunk.subscriber_name"),
            "ref": SQL("chunk.customer_id"),
            "is_company": is_company,
            "commercial_partner_id": SQL("new.id"),
            "commercial_company_name": SQL(
                "CASE WHEN %s THEN chunk.subscriber_name END", is_company
            ),
            "partner_share": SQL("true"),
            "telecom_is_subscriber": SQL("true"),
            "telecom_region_id": SQL("chunk.region_id"),
            "telecom_segment": SQL(
                "CASE WHEN %s THEN 'b2b' ELSE 'mass' END", is_company
            ),
            "telecom_customer_since": SQL("chunk.activation_date_n"),
            "phone": SQL("chunk.phone_n"),
            "phone_sanitized": SQL("chunk.phone_n"),
            "email": SQL("nullif(chunk.email, '')"),
            "email_normalized": SQL("chunk.email_n"),
        }
        # left empty as create leaves them for a partner without parent or image
        given = set(columns) | {
            "user_id",
            "company_registry",
            "image_1024",
            "image_512",
            "image_256",
            "image_128",
        }
        bulk_insert.insert_select(
            Partner,
            columns,
            SQL(
                "telecom_import_new_partner new JOIN %s chunk ON chunk.seq = new.seq",
                SQL.identifier(CHUNK_TABLE),
            ),
        )
        bulk_insert.compute_missing(Partner, ids, given)

    def _create_accounts(self, rows, company_id):
        """One account per new account number, from its first row."""
        ids = self._new_keys(
            "telecom_import_new_account",
            "account_number",
            "account_id",
            "telecom.account",
            rows,
        )
        if not ids:
            return
        Account = self.env["telecom.account"]
        partner = SQL("coalesce(chunk.partner_id, new_partner.id)")
        columns = {
            "id": SQL("new.id"),
            "name": SQL("chunk.account_number"),
            "partner_id": partner,
            "payer_id": partner,
            "region_id": SQL("chunk.region_id"),
            "billing_reference": SQL("nullif(chunk.billing_id, '')"),
            "company_id": SQL("%s", company_id),
        }
        bulk_insert.insert_select(
            Account,
            columns,
            SQL(
                """telecom_import_new_account new
                   JOIN %s chunk ON chunk.seq = new.seq
                   LEFT JOIN telecom_import_new_partner new_partner
                          ON new_partner.key = chunk.customer_id""",
                SQL.identifier(CHUNK_TABLE),
            ),
        )
        bulk_insert.compute_missing(Account, ids, set(columns))

    def _create_services(self, rows, company_id):
        """One service per row to create, with its options and first status."""
        cr = self.env.cr
        chunk = SQL.identifier(CHUNK_TABLE)
        address = SQL("nullif(chunk.installation_address, '')")
        columns = {
            "id": SQL("chunk.service_id"),
            "reference": SQL("referenced.reference"),
            "name": SQL("coalesce(chunk.msisdn_n, %s, referenced.reference)", address),
            "service_type": SQL("chunk.t_service_type"),
            "state": SQL("chunk.t_status"),
            "block_reason": SQL("chunk.t_block_reason"),
            "msisdn": SQL("chunk.msisdn_n"),
            "iccid": SQL("chunk.iccid_n"),
            "imsi": SQL("chunk.imsi_n"),
            "installation_address": address,
            "access_technology": SQL("chunk.t_access_technology"),
            "tariff_id": SQL("chunk.tariff_id"),
            "activation_date": SQL("chunk.activation_date_n"),
            "region_id": SQL("chunk.region_id"),
            "account_id": SQL("coalesce(chunk.account_id, new_account.id)"),
            "partner_id": SQL("coalesce(chunk.partner_id, new_partner.id)"),
            "company_id": SQL("%s", company_id),
        }
        count = bulk_insert.insert_select(
            self.env["telecom.service"],
            columns,
            SQL(
                """%(chunk)s chunk
                   JOIN %(references)s referenced ON referenced.seq = chunk.seq
                   LEFT JOIN telecom_import_new_partner new_partner
                          ON new_partner.key = chunk.customer_id
                   LEFT JOIN telecom_import_new_account new_account
                          ON new_account.key = chunk.account_number""",
                chunk=chunk,
                references=self._references(
                    SQL(
                        "(SELECT chunk.seq FROM %s chunk WHERE %s ORDER BY chunk.seq)",
                        chunk,
                        rows,
                    )
                ),
            ),
        )
        if not count:
            return 0
        cr.execute(
            SQL(
                """INSERT INTO telecom_service_option_rel (service_id, product_id)
                   SELECT DISTINCT chunk.service_id, option.product_id
                     FROM %(chunk)s chunk
                    CROSS JOIN unnest(chunk.option_list) AS option_code(code)
                     JOIN telecom_import_product option
                       ON option.code = option_code.code
                    WHERE %(rows)s""",
                chunk=chunk,
                rows=rows,
            )
        )
        self._log_first_states(SQL("%s chunk WHERE %s", chunk, rows), company_id)
        return count

    def _log_first_states(self, rows, company_id):
        """The status history of each new service starts with its status."""
        StateLog = self.env["telecom.service.state.log"]
        sequence = self.env["telecom.import.stage"]._id_sequence(StateLog._name)
        columns = {
            "id": SQL("nextval(%s::regclass)", sequence),
            "service_id": SQL("chunk.service_id"),
            "state": SQL("chunk.t_status"),
            "block_reason": SQL("chunk.t_block_reason"),
            "date": SQL("(now() AT TIME ZONE 'UTC')"),
            "user_id": SQL("%s", self.env.uid),
            "company_id": SQL("%s", company_id),
        }
        bulk_insert.insert_select(StateLog, columns, rows)

    def _references(self, ordered):
        """SQL of ``(seq, reference)`` of the ``ordered`` rows (a sub-query of
        their ``seq``): the reference of their new service, drawn from its
        sequence in row order and formatted as ``ir.sequence`` does."""
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
            sequence
            and sequence.implementation == "standard"
            and not sequence.use_date_range
        ):
            prefix, suffix = sequence._get_prefix_suffix()
            return SQL(
                """(SELECT numbered.seq,
                           %(prefix)s || lpad(numbered.number,
                                              greatest(%(padding)s,
                                                       length(numbered.number)),
                                              '0') || %(suffix)s AS reference
                      FROM (SELECT ordered.*,
                                   nextval(%(sequence)s::regclass)::text AS number
                              FROM %(ordered)s ordered) numbered)""",
                prefix=prefix,
                padding=sequence.padding,
                suffix=suffix,
                sequence=f"ir_sequence_{sequence.id:03d}",
                ordered=ordered,
            )
        # rare set-ups (no gap, date ranges): the references drawn as create does
        cr = self.env.cr
        cr.execute(SQL("SELECT count(*) FROM %s ordered", ordered))
        references = [
            Sequence.next_by_code("telecom.service") for _row in range(cr.fetchone()[0])
        ]
        return SQL(
            """(SELECT numbered.seq, (%(references)s::text[])[numbered.position]
                       AS reference
                  FROM (SELECT ordered.*, row_number() OVER () AS position
                          FROM %(ordered)s ordered) numbered)""",
            references=references,
            ordered=ordered,
        )
