# The columns are documented for users in readme/USAGE.md (billing import).
"""The billing CSV file format: columns, header, records and the parsing of a row.

Plain Python, no ORM: ``env`` is only passed in to translate messages (``env._``),
also by the identifier normalisers of ``numbering.py``. Records are read from a
character offset on (:class:`_OffsetLines`), so an import resumes where its previous
chunk stopped. What a row means for the database is checked by
``telecom.import.batch``.
"""

import csv
import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from odoo.exceptions import UserError, ValidationError
from odoo.tools import email_normalize

from .numbering import normalize_iccid, normalize_imsi, normalize_msisdn
from .selections import (
    ACCESS_TECHNOLOGIES,
    BLOCK_REASONS,
    SERVICE_STATES,
    SERVICE_TYPES,
)

COLUMNS = (
    "customer_id",
    "subscriber_name",
    "subscriber_type",
    "phone",
    "email",
    "region_code",
    "account_number",
    "billing_id",
    "service_type",
    "msisdn",
    "iccid",
    "imsi",
    "installation_address",
    "access_technology",
    "tariff_code",
    "option_codes",
    "status",
    "block_reason",
    "activation_date",
)
REQUIRED_COLUMNS = (
    "customer_id",
    "subscriber_name",
    "region_code",
    "account_number",
    "service_type",
    "tariff_code",
    "status",
)
CHOICE_COLUMNS = {
    "subscriber_type": ("person", "company"),
    "service_type": tuple(key for key, _label in SERVICE_TYPES),
    "status": tuple(key for key, _label in SERVICE_STATES),
    "block_reason": tuple(key for key, _label in BLOCK_REASONS),
    "access_technology": tuple(key for key, _label in ACCESS_TECHNOLOGIES),
}
IDENTIFIER_NORMALIZERS = {
    "msisdn": normalize_msisdn,
    "iccid": normalize_iccid,
    "imsi": normalize_imsi,
}
# identifiers a live service holds alone (see telecom.service)
LIVE_IDENTIFIERS = ("msisdn", "iccid")
OPTION_SEPARATOR = "|"
# characters billing exports put inside numbers (the set of numbering.py)
NUMBER_NOISE = re.compile(r"[\s\-().]")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def live_key(value):
    """Textual key of an identifier, to spot the same number written twice."""
    return NUMBER_NOISE.sub("", value)


class Header(NamedTuple):
    delimiter: str
    column_index: dict  # column -> position in a record
    width: int  # number of header cells
    offset: int  # character offset of the first data record
    line_number: int  # last line of the header


class Record(NamedTuple):
    """One non-blank CSV record and where it ends in the file."""

    start_line: int
    cells: list
    end_offset: int
    end_line: int


class Chunk(NamedTuple):
    """Parsed rows read from an offset on, and where the next chunk starts."""

    rows: list  # of ParsedRow
    end_offset: int
    end_line: int


@dataclass
class ParsedRow:
    """One data row: its raw values, typed values and the problems found.

    ``values`` holds the stripped text of every column of :data:`COLUMNS` (``""``
    when absent), ``typed`` the parsed values (``False`` when empty or invalid).
    The parsing and, later, the database checks add their ``problems``.
    """

    line_number: int
    values: dict
    extra_cells: int = 0
    typed: dict = field(default_factory=dict)
    option_codes: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # (column, value, message)
    skip_message: str = ""

    def add_problem(self, column, message):
        value = self.values.get(column, "") if column else ""
        self.problems.append((column, value, message))

    @property
    def is_live(self):
        return self.typed.get("status") != "terminated"


class _OffsetLines:
    """Line iterator over a text that remembers where it stopped, to resume there."""

    def __init__(self, text, offset=0, line_number=0):
        self.text = text
        self.offset = offset
        self.line_number = line_number

    def __iter__(self):
        return self

    def __next__(self):
        if self.offset >= len(self.text):
            raise StopIteration
        end = self.text.find("\n", self.offset)
        end = len(self.text) if end < 0 else end + 1
        line = self.text[self.offset : end]
        self.offset = end
        self.line_number += 1
        return line


# ----------------------------------------------------------------------
# reading the file
# ----------------------------------------------------------------------
def decode_text(env, raw):
    """The text of the file content ``raw`` (bytes); UTF-8, BOM dropped."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UserError(
            env._(
                "The file is not UTF-8 text (byte %(position)s); export it again "
                "as a UTF-8 CSV file.",
                position=error.start,
            )
        ) from error
    if not text.strip():
        raise UserError(env._("The file is empty."))
    return text


def read_header(env, text):
    """Detect the delimiter and check the header; a bad header fails the import."""
    end_of_line = text.find("\n")
    first_line = text if end_of_line < 0 else text[:end_of_line]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    record = next(iter_records(env, text, delimiter, 0, 0))
    names = [cell.strip().lstrip("\ufeff").lower() for cell in record.cells]
    _check_header_names(env, names)
    column_index = {name: names.index(name) for name in COLUMNS if name in names}
    return Header(
        delimiter, column_index, len(names), record.end_offset, record.end_line
    )


def _check_header_names(env, names):
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise UserError(
            env._(
                "Column %(columns)s appears twice in the header.",
                columns=", ".join(repeated),
            )
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        raise UserError(
            env._(
                "The header lacks the required columns: %(missing)s. "
                "Expected columns: %(expected)s.",
                missing=", ".join(missing),
                expected=", ".join(COLUMNS),
            )
        )


def iter_records(env, text, delimiter, offset, line_number):
    """Yield the non-blank :class:`Record` of ``text`` from ``offset`` on."""
    lines = _OffsetLines(text, offset, line_number)
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        start_line = lines.line_number + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UserError(
                env._(
                    "Line %(line)s cannot be read: %(error)s",
                    line=start_line,
                    error=str(error),
                )
            ) from error
        if any(cell.strip() for cell in cells):
            yield Record(start_line, cells, lines.offset, lines.line_number)


def cell_value(cells, index):
    """The stripped cell at ``index``; ``""`` for a missing column or cell."""
    return cells[index].strip() if index is not None and index < len(cells) else ""


def scan_rows(env, text, header):
    """Count the data rows; note the MSISDN/ICCID of live rows written twice.

    Returns ``(row count, {column: {textual key: line of the first occurrence}})``.
    """
    index = header.column_index
    first_lines = {name: {} for name in LIVE_IDENTIFIERS if name in index}
    duplicates = {name: {} for name in first_lines}
    row_count = 0
    records = iter_records(
        env, text, header.delimiter, header.offset, header.line_number
    )
    for record in records:
        row_count += 1
        if cell_value(record.cells, index["status"]).lower() == "terminated":
            continue
        for name, first_line_by_key in first_lines.items():
            key = live_key(cell_value(record.cells, index[name]))
            if key and key in first_line_by_key:
                duplicates[name][key] = first_line_by_key[key]
            elif key:
                first_line_by_key[key] = record.start_line
    return row_count, duplicates


def read_chunk(env, text, header, offset, line_number, size, row_parser=None):
    """Parse up to ``size`` rows from ``offset`` (after ``line_number``) on.

    ``row_parser(env, record, header)`` parses one record (default: a subscriber
    row, :func:`parse_row`; the usage file passes its own)."""
    row_parser = row_parser or parse_row
    rows = []
    end_offset, end_line = offset, line_number
    for record in iter_records(env, text, header.delimiter, offset, line_number):
        rows.append(row_parser(env, record, header))
        end_offset, end_line = record.end_offset, record.end_line
        if len(rows) >= size:
            break
    return Chunk(rows, end_offset, end_line)


# ----------------------------------------------------------------------
# parsing a row: the format of each value (no database)
# ----------------------------------------------------------------------
def parse_row(env, record, header):
    """The :class:`ParsedRow` of ``record``, with the problems of its format."""
    values = {
        name: cell_value(record.cells, header.column_index.get(name))
        for name in COLUMNS
    }
    row = ParsedRow(
        record.start_line, values, extra_cells=len(record.cells) - header.width
    )
    _check_width(env, row)
    _check_required(env, row)
    _parse_choices(env, row)
    _parse_activation_date(env, row)
    _parse_identifiers(env, row)
    _parse_contact(env, row)
    row.option_codes = [
        code.strip()
        for code in row.values["option_codes"].split(OPTION_SEPARATOR)
        if code.strip()
    ]
    return row


def _check_width(env, row):
    if row.extra_cells > 0:
        row.add_problem(
            "",
            env._(
                "The line has %(count)s values but the header only %(expected)s "
                "columns.",
                count=row.extra_cells + len(COLUMNS),
                expected=len(COLUMNS),
            ),
        )


def _check_required(env, row):
    for column in REQUIRED_COLUMNS:
        if not row.values[column]:
            row.add_problem(column, env._("%(column)s is required.", column=column))


def _parse_choices(env, row):
    for column, choices in CHOICE_COLUMNS.items():
        value = row.values[column].lower()
        if value and value not in choices:
            row.add_problem(
                column,
                env._(
                    "%(value)s is not a valid %(column)s; expected one of: "
                    "%(choices)s.",
                    value=row.values[column],
                    column=column,
                    choices=", ".join(choices),
                ),
            )
            value = ""
        row.typed[column] = value or False
    row.typed["is_company"] = row.typed["subscriber_type"] == "company"
    if row.typed["block_reason"] and row.typed["status"] != "blocked":
        row.add_problem(
            "block_reason",
            env._("A block reason is only allowed with the blocked status."),
        )


def _parse_activation_date(env, row):
    value = row.values["activation_date"]
    row.typed["activation_date"] = False
    if not value:
        return
    try:
        if not ISO_DATE.match(value):
            raise ValueError(value)
        row.typed["activation_date"] = date.fromisoformat(value)
    except ValueError:
        row.add_problem(
            "activation_date",
            env._("%(value)s is not a date in the YYYY-MM-DD format.", value=value),
        )


def _parse_identifiers(env, row):
    for column, normalize in IDENTIFIER_NORMALIZERS.items():
        row.typed[column] = False
        if row.values[column]:
            try:
                row.typed[column] = normalize(env, row.values[column])
            except ValidationError as error:
                row.add_problem(column, error.args[0])
    if row.typed["service_type"] == "mobile" and not row.values["msisdn"]:
        row.add_problem("msisdn", env._("A mobile line needs an MSISDN."))


def _parse_contact(env, row):
    row.typed["phone"] = False
    if row.values["phone"] and row.values["phone"] == row.values["msisdn"]:
        row.typed["phone"] = row.typed["msisdn"]  # checked already (it is slow)
    if row.values["phone"] and not row.typed["phone"]:
        try:
            row.typed["phone"] = normalize_msisdn(env, row.values["phone"])
        except ValidationError as error:
            row.add_problem("phone", error.args[0])
    email = row.values["email"]
    row.typed["email"] = email or False
    if email and not email_normalize(email):
        row.add_problem(
            "email", env._("%(email)s is not a valid email address.", email=email)
        )
