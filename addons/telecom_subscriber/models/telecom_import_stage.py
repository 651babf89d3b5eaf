"""The staged rows of a billing import and the typed rows of its current chunk.

``telecom.import`` stages its file once (one ``COPY`` into ``telecom_import_row``,
raw text cells, one row per record) and then processes it chunk by chunk: each
chunk is loaded into the temporary table ``telecom_import_chunk``, with its typed
and normalised values computed by SQL. Values SQL cannot vouch for (a number in an
unusual format, an odd e-mail address, every date) go through the Python checks of
``tools/numbering.py`` once per distinct value, their verdicts written back in one
``UPDATE``. ``telecom.import.batch`` checks and imports the chunk from there.
"""

import csv
import io

import phonenumbers

from odoo import api, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL, email_normalize

from ..tools import billing_csv
from ..tools.numbering import normalize_iccid, normalize_imsi, normalize_msisdn

STAGE_TABLE = "telecom_import_row"
CHUNK_TABLE = "telecom_import_chunk"
# the characters billing exports put inside numbers (NUMBER_NOISE of billing_csv),
# removed by translate(): other white space fails the SQL checks and goes to Python
SQL_NUMBER_NOISE = " \t\n\r\f\v\u00a0().-"
# e-mail addresses SQL accepts as they are; any other goes through email_normalize
SQL_PLAIN_EMAIL = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"


def option_list(option_codes):
    """SQL of the option codes of a row (the ``option_codes`` cell, SQL), split
    on ``|``, blanks around and empty codes dropped."""
    return SQL(
        """CASE WHEN %(codes)s = '' THEN '{}'::text[]
                ELSE array_remove(regexp_split_to_array(
                         %(codes)s, '[[:space:]]*\\|[[:space:]]*'), '')
           END""",
        codes=option_codes,
    )


def _russian_mobile_pattern():
    """The national pattern of Russian mobile numbers, from phonenumbers' metadata:
    a number matching it is valid, whatever its national or E.164 spelling."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("RU")
    return metadata.mobile.national_number_pattern


def _luhn_block_sums():
    """The Luhn sum (modulo 10) of each block of four digits ``0000 … 9999`` at
    an odd position of a 20-digit string: its first and third digits doubled."""

    def doubled(digit):
        return 2 * digit if digit < 5 else 2 * digit - 9

    sums = [
        (
            doubled(block // 1000)
            + block // 100 % 10
            + doubled(block // 10 % 10)
            + block % 10
        )
        % 10
        for block in range(10000)
    ]
    return "{" + ",".join(map(str, sums)) + "}"


class TelecomImportStage(models.AbstractModel):
    """Stages a billing file and loads its chunks; stateless."""

    _name = "telecom.import.stage"
    _description = "Billing Import Staging"

    # ------------------------------------------------------------------
    # the staging table (created by telecom.import's init)
    # ------------------------------------------------------------------
    @api.model
    def _init_stage_table(self):
        columns = SQL(", ").join(
            SQL("%s text NOT NULL DEFAULT ''", SQL.identifier(name))
            for name in billing_csv.COLUMNS
        )
        self.env.cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %(table)s (
                       import_id integer NOT NULL
                           REFERENCES telecom_import(id) ON DELETE CASCADE,
                       seq integer NOT NULL,
                       line_number integer NOT NULL,
                       extra_cells integer NOT NULL DEFAULT 0,
                       %(columns)s,
                       PRIMARY KEY (import_id, seq)
                   )""",
                table=SQL.identifier(STAGE_TABLE),
                columns=columns,
            )
        )
        # Luhn check of a string of up to 20 digits (the ICCID check digit), as
        # numbering.py: the digits left-padded to 20, read as five blocks of four
        # whose Luhn sums (modulo 10) are looked up in a constant array. One
        # expression without FROM, so PostgreSQL inlines it.
        terms = SQL(" + ").join(
            SQL(
                "(%s::smallint[])[substr(lpad(digits, 20, '0'), %s, 4)::integer + 1]",
                _luhn_block_sums(),
                start,
            )
            for start in (1, 5, 9, 13, 17)
        )
        self.env.cr.execute(
            SQL(
                """CREATE OR REPLACE FUNCTION telecom_luhn_valid(digits text)
                   RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
                       SELECT mod(%s, 10) = 0
                   $$""",
                terms,
            )
        )

    @api.model
    def _stage_file(self, job, text, header):
        """COPY the data records of ``text`` into the staging table; return their
        count. The cells are stripped; the blank records are left out."""
        self._drop_staged(job)
        index = header.column_index
        positions = [index.get(name) for name in billing_csv.COLUMNS]
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\n")
        count = 0
        for line_number, cells in billing_csv.iter_data_cells(self.env, text, header):
            count += 1
            width = len(cells)
            if width < header.width:  # short record: the missing cells are empty
                cells = cells + [""] * (header.width - width)
            writer.writerow(
                [
                    job.id,
                    count,
                    line_number,
                    width - header.width,
                    *[
                        "" if position is None else cells[position].strip()
                        for position in positions
                    ],
                ]
            )
        stream.seek(0)
        columns = ["import_id", "seq", "line_number", "extra_cells"]
        columns += billing_csv.COLUMNS
        self.env.cr.copy_expert(
            "COPY {} ({}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({}))".format(
                STAGE_TABLE, ", ".join(columns), ", ".join(billing_csv.COLUMNS)
            ),
            stream,
        )
        return count

    @api.model
    def _has_staged(self, job):
        self.env.cr.execute(
            SQL(
                "SELECT 1 FROM %s WHERE import_id = %s LIMIT 1",
                SQL.identifier(STAGE_TABLE),
                job.id,
            )
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _drop_staged(self, job):
        self.env.cr.execute(
            SQL(
                "DELETE FROM %s WHERE import_id = %s",
                SQL.identifier(STAGE_TABLE),
                job.id,
            )
        )

    @api.model
    def _duplicate_identifiers(self, job):
        """``{column: {textual key: first line}}`` of the MSISDN/ICCID written on
        more than one live row of the file (as ``billing_csv.scan_rows``)."""
        duplicates = {}
        for name in billing_csv.LIVE_IDENTIFIERS:
            self.env.cr.execute(
                SQL(
                    """SELECT key, min(line_number) FROM (
                           SELECT translate(%(column)s, %(noise)s, '') AS key,
                                  line_number
                             FROM %(table)s
                            WHERE import_id = %(job)s AND %(column)s != ''
                              AND lower(status) != 'terminated'
                       ) keyed
                        WHERE key != ''
                        GROUP BY key HAVING count(*) > 1""",
                    column=SQL.identifier(name),
                    noise=SQL_NUMBER_NOISE,
                    table=SQL.identifier(STAGE_TABLE),
                    job=job.id,
                )
            )
            duplicates[name] = dict(self.env.cr.fetchall())
        return duplicates

    # ------------------------------------------------------------------
    # the chunk: typed values by SQL, the rest per distinct value
    # ------------------------------------------------------------------
    @api.model
    def _staged_range(self, job, first_seq, size):
        """SQL of the staged rows ``first_seq + 1 … first_seq + size`` of ``job``."""
        return SQL(
            "(SELECT * FROM %(stage)s WHERE import_id = %(job)s "
            "AND seq > %(first)s AND seq <= %(last)s)",
            stage=SQL.identifier(STAGE_TABLE),
            job=job.id,
            first=first_seq,
            last=first_seq + size,
        )

    @api.model
    def _load_chunk(self, job, first_seq, size):
        """Load the staged rows of the chunk into the chunk table: typed values,
        normalised identifiers and the ids of what they name (the lookups of
        ``telecom.import.lookup``, loaded before); return (row count, last line)."""
        cr = self.env.cr
        cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(CHUNK_TABLE)))
        cr.execute(
            SQL(
                """CREATE TEMP TABLE %(chunk)s ON COMMIT DROP AS
                   SELECT row.*, %(typed)s,
                          %(normalized)s,
                          NULL::text AS msisdn_error, NULL::text AS iccid_error,
                          NULL::text AS imsi_error, NULL::text AS phone_error,
                          NULL::text AS email_error,
                          activation.day AS activation_date_n,
                          activation.error AS activation_date_error,
                          region.region_id, tariff.product_id AS tariff_id,
                          partner.partner_id, partner.is_company AS partner_is_company,
                          account.account_id, account.holder_id AS account_holder_id,
                          NULL::text AS skip_reference, false AS rejected
                     FROM (SELECT row.*, %(cleaned)s,
                                  %(option_list)s AS option_list
                             FROM (SELECT staged.*,
                                          nextval(%(service_sequence)s::regclass)
                                              ::integer AS service_id
                                     FROM %(rows)s staged ORDER BY staged.seq) row
                           -- OFFSET 0: each key computed once, not at each use
                           OFFSET 0) row
                     LEFT JOIN telecom_import_region region
                            ON region.code = row.region_code AND region.allowed
                     LEFT JOIN telecom_import_product tariff
                            ON tariff.code = row.tariff_code AND tariff.kind = 'tariff'
                     LEFT JOIN telecom_import_partner partner
                            ON partner.ref = row.customer_id
                     LEFT JOIN telecom_import_account account
                            ON account.number = row.account_number
                     LEFT JOIN telecom_import_date activation
                            ON activation.value = row.activation_date""",
                chunk=SQL.identifier(CHUNK_TABLE),
                typed=self._typed_columns(),
                normalized=self._normalized_columns(),
                cleaned=SQL(", ").join(
                    SQL(
                        "translate(%s, %s, '') AS %s",
                        SQL.identifier("row", column),
                        SQL_NUMBER_NOISE,
                        SQL.identifier(f"{column}_key"),
                    )
                    for column in ("msisdn", "iccid", "imsi", "phone")
                ),
                option_list=option_list(SQL("row.option_codes")),
                service_sequence=self._id_sequence("telecom.service"),
                rows=self._staged_range(job, first_seq, size),
            )
        )
        cr.execute(
            SQL(
                "SELECT count(*), max(line_number) FROM %s",
                SQL.identifier(CHUNK_TABLE),
            )
        )
        count, last_line = cr.fetchone()
        for column, check in self._python_checks().items():
            self._check_distinct_values(column, check)
        return count, last_line

    @api.model
    def _id_sequence(self, model_name):
        """The name of the sequence of the ids of ``model_name``'s table."""
        self.env.cr.execute(
            SQL("SELECT pg_get_serial_sequence(%s, 'id')", self.env[model_name]._table)
        )
        return self.env.cr.fetchone()[0]

    def _typed_columns(self):
        """``t_<column>``: the value of a choice column, lower case, if valid."""
        return SQL(", ").join(
            SQL(
                "CASE WHEN lower(%(column)s) = ANY(%(choices)s) "
                "THEN lower(%(column)s) END AS %(typed)s",
                column=SQL.identifier("row", column),
                choices=list(values),
                typed=SQL.identifier(f"t_{column}"),
            )
            for column, values in billing_csv.CHOICE_COLUMNS.items()
        )

    def _normalized_columns(self):
        """``<column>_n``: the normalised value when SQL can vouch for it, else
        NULL (then :meth:`_check_distinct_values` asks Python)."""
        mobile = _russian_mobile_pattern()

        def russian_mobile(column):
            # national (9…, 89…) and international (+79…, 0079…) spellings of a
            # Russian mobile number: its E.164 form is +7 and the national number
            return SQL(
                "CASE WHEN %(key)s ~ %(pattern)s THEN '+7' || right(%(key)s, 10) END",
                key=SQL.identifier(f"{column}_key"),
                pattern=f"^(\\+7|007|8)?({mobile})$",
            )

        fast_paths = {
            "msisdn": russian_mobile("msisdn"),
            "phone": russian_mobile("phone"),
            # nested: the Luhn check only reads digits
            "iccid": SQL(
                "CASE WHEN iccid_key ~ '^89[0-9]{17,18}$' THEN "
                "CASE WHEN telecom_luhn_valid(iccid_key) THEN iccid_key END END"
            ),
            "imsi": SQL("CASE WHEN imsi_key ~ '^[0-9]{15}$' THEN imsi_key END"),
            "email": SQL(
                "CASE WHEN row.email ~ %s THEN lower(row.email) END", SQL_PLAIN_EMAIL
            ),
        }
        return SQL(", ").join(
            SQL("%s AS %s", expression, SQL.identifier(f"{column}_n"))
            for column, expression in fast_paths.items()
        )

    def _python_checks(self):
        """Per column, the Python check of one value: (normalised, error)."""
        env = self.env

        def through(normalize):
            def check(value):
                try:
                    return normalize(env, value), None
                except ValidationError as error:
                    return None, error.args[0]

            return check

        def check_email(value):
            normalized = email_normalize(value)
            if normalized:
                return normalized, None
            return None, env._("%(email)s is not a valid email address.", email=value)

        return {
            "msisdn": through(normalize_msisdn),
            "phone": through(normalize_msisdn),
            "iccid": through(normalize_iccid),
            "imsi": through(normalize_imsi),
            "email": check_email,
        }

    def _check_distinct_values(self, column, check):
        """Check once each distinct value of ``column`` SQL did not vouch for."""
        cr = self.env.cr
        normalized = SQL.identifier(f"{column}_n")
        cr.execute(
            SQL(
                "SELECT DISTINCT %(column)s FROM %(chunk)s "
                "WHERE %(column)s != '' AND %(normalized)s IS NULL",
                column=SQL.identifier(column),
                chunk=SQL.identifier(CHUNK_TABLE),
                normalized=normalized,
            )
        )
        values = [row[0] for row in cr.fetchall()]
        if not values:
            return
        verdicts = [check(value) for value in values]
        cr.execute(
            SQL(
                """UPDATE %(chunk)s chunk
                      SET %(normalized)s = verdict.normalized,
                          %(error)s = verdict.error
                     FROM unnest(%(values)s::text[], %(normalizeds)s::text[],
                                 %(errors)s::text[])
                          AS verdict(value, normalized, error)
                    WHERE chunk.%(column)s = verdict.value""",
                chunk=SQL.identifier(CHUNK_TABLE),
                normalized=normalized,
                error=SQL.identifier(f"{column}_error"),
                values=values,
                normalizeds=[verdict[0] for verdict in verdicts],
                errors=[verdict[1] for verdict in verdicts],
                column=SQL.identifier(column),
            )
        )
