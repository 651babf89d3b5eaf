# The columns are documented for users in readme/USAGE.md (billing import).
"""The billing CSV file format: columns, header and records.

Plain Python, no ORM: ``env`` is only passed in to translate messages (``env._``).
Records are read from a character offset on (:class:`_OffsetLines`). The subscriber
import stages every record of the file at once (``telecom.import.stage``) and checks
the values in SQL (``telecom.import.batch``); the usage import parses its rows
chunk by chunk (``usage_csv.py``) from where its previous chunk stopped.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from odoo.exceptions import UserError

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


def iter_data_cells(env, text, header):
    """Yield ``(line of its start, cells)`` of every non-blank data record.

    The fast reading of a whole file (the staging of the import): the C reader
    walks the text itself and counts its lines."""
    reader = csv.reader(io.StringIO(text[header.offset :]), delimiter=header.delimiter)
    first_line = header.line_number
    end_line = 0
    try:
        for cells in reader:
            start_line, end_line = end_line + 1, reader.line_num
            if "".join(cells).strip():
                yield first_line + start_line, cells
    except csv.Error as error:
        raise UserError(
            env._(
                "Line %(line)s cannot be read: %(error)s",
                line=first_line + end_line + 1,
                error=str(error),
            )
        ) from error


def cell_value(cells, index):
    """The stripped cell at ``index``; ``""`` for a missing column or cell."""
    return cells[index].strip() if index is not None and index < len(cells) else ""


def read_chunk(env, text, header, offset, line_number, size, row_parser):
    """Parse up to ``size`` rows from ``offset`` (after ``line_number``) on.

    ``row_parser(env, record, header)`` parses one record (the usage file's)."""
    rows = []
    end_offset, end_line = offset, line_number
    for record in iter_records(env, text, header.delimiter, offset, line_number):
        rows.append(row_parser(env, record, header))
        end_offset, end_line = record.end_offset, record.end_line
        if len(rows) >= size:
            break
    return Chunk(rows, end_offset, end_line)
