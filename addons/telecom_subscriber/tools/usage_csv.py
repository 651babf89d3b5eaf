# The columns are documented for users in readme/USAGE.md (usage import).
"""The monthly usage and charges CSV file: columns, header and the parsing of a row.

Plain Python, no ORM (``env`` only translates). The records are read with the
machinery of ``billing_csv`` (offsets, chunks), so a usage import resumes and
runs in the background like a subscriber import. Which service a row is about
is checked by ``telecom.import`` against the database.
"""

import re
from datetime import date

from odoo.exceptions import UserError, ValidationError

from . import billing_csv
from .billing_csv import Header, ParsedRow, cell_value, iter_records
from .numbering import normalize_msisdn
from .selections import DEVICE_TYPES, SERVICE_TYPES

COLUMNS = (
    "month",
    "account_number",
    "msisdn",
    "service_type",
    "data_mb",
    "voice_minutes",
    "sms_count",
    "roaming_mb",
    "charged_amount",
    "paid_amount",
    "debt_amount",
    "paid_late",
    "device_type",
    "device_os",
    "device_5g",
    "commitment_end",
    "promotion_name",
    "promotion_end",
)
# optional: the line's terms (an empty cell leaves them as they are)
DATE_COLUMNS = ("commitment_end", "promotion_end")
REQUIRED_COLUMNS = ("month", "account_number", "charged_amount")
NUMBER_COLUMNS = (
    "data_mb",
    "voice_minutes",
    "roaming_mb",
    "charged_amount",
    "paid_amount",
    "debt_amount",
)
BOOLEAN_COLUMNS = ("paid_late", "device_5g")
TRUE_WORDS = ("1", "true", "yes", "y", "да")
FALSE_WORDS = ("0", "false", "no", "n", "нет")
MONTH = re.compile(r"^(\d{4})-(\d{2})(-\d{2})?$")
SERVICE_TYPE_KEYS = tuple(key for key, _label in SERVICE_TYPES)
DEVICE_TYPE_KEYS = tuple(key for key, _label in DEVICE_TYPES)


def read_header(env, text):
    """Detect the delimiter and check the header of a usage file."""
    end_of_line = text.find("\n")
    first_line = text if end_of_line < 0 else text[:end_of_line]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    record = next(iter_records(env, text, delimiter, 0, 0))
    names = [cell.strip().lstrip("\ufeff").lower() for cell in record.cells]
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
    column_index = {name: names.index(name) for name in COLUMNS if name in names}
    return Header(
        delimiter, column_index, len(names), record.end_offset, record.end_line
    )


def count_rows(env, text, header):
    records = iter_records(
        env, text, header.delimiter, header.offset, header.line_number
    )
    return sum(1 for _record in records)


def read_chunk(env, text, header, offset, line_number, size):
    """Parse up to ``size`` usage rows from ``offset`` (after ``line_number``) on."""
    return billing_csv.read_chunk(
        env, text, header, offset, line_number, size, row_parser=parse_row
    )


def parse_row(env, record, header):
    """The ``ParsedRow`` of a usage ``record``, with the problems of its format."""
    values = {
        name: cell_value(record.cells, header.column_index.get(name))
        for name in COLUMNS
    }
    row = ParsedRow(
        record.start_line, values, extra_cells=len(record.cells) - header.width
    )
    if row.extra_cells > 0:
        row.add_problem(
            "",
            env._(
                "The line has %(count)s values but the header only %(expected)s "
                "columns.",
                count=len(record.cells),
                expected=header.width,
            ),
        )
    for column in REQUIRED_COLUMNS:
        if not values[column]:
            row.add_problem(column, env._("%(column)s is required.", column=column))
    _parse_month(env, row)
    _parse_numbers(env, row)
    _parse_booleans(env, row)
    _parse_choices(env, row)
    _parse_dates(env, row)
    row.typed["promotion_name"] = values["promotion_name"][:128] or False
    row.typed["device_os"] = values["device_os"][:64] or False
    row.typed["msisdn"] = False
    if values["msisdn"]:
        try:
            row.typed["msisdn"] = normalize_msisdn(env, values["msisdn"])
        except ValidationError as error:
            row.add_problem("msisdn", error.args[0])
    elif not values["service_type"]:
        row.add_problem(
            "msisdn",
            env._(
                "Give the MSISDN of the line, or the service type of a line "
                "without number."
            ),
        )
    return row


def _parse_month(env, row):
    value = row.values["month"]
    row.typed["month"] = False
    if not value:
        return
    found = MONTH.match(value)
    try:
        if not found:
            raise ValueError(value)
        row.typed["month"] = date(int(found[1]), int(found[2]), 1)
    except ValueError:
        row.add_problem(
            "month",
            env._("%(value)s is not a month in the YYYY-MM format.", value=value),
        )


def _parse_dates(env, row):
    for column in DATE_COLUMNS:
        value = row.values[column]
        row.typed[column] = False
        if not value:
            continue
        try:
            row.typed[column] = date.fromisoformat(value)
        except ValueError:
            row.add_problem(
                column,
                env._("%(value)s is not a date in the YYYY-MM-DD format.", value=value),
            )


def _number(text):
    """A decimal of a billing export: ``1 234,5`` and ``1234.5`` both read."""
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    return float(cleaned)


def _parse_numbers(env, row):
    for column in (*NUMBER_COLUMNS, "sms_count"):
        value = row.values[column]
        row.typed[column] = 0
        if not value:
            continue
        try:
            number = _number(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError(value)
            if column == "sms_count" and number != int(number):
                raise ValueError(value)
        except ValueError:
            row.add_problem(
                column,
                env._("%(value)s is not a number.", value=value)
                if column != "sms_count"
                else env._("%(value)s is not a whole number.", value=value),
            )
            continue
        if number < 0:
            row.add_problem(
                column,
                env._("%(column)s cannot be negative.", column=column),
            )
            continue
        row.typed[column] = int(number) if column == "sms_count" else number


def _parse_booleans(env, row):
    for column in BOOLEAN_COLUMNS:
        value = row.values[column].lower()
        row.typed[column] = value in TRUE_WORDS
        if value and value not in TRUE_WORDS + FALSE_WORDS:
            row.add_problem(
                column,
                env._(
                    "%(value)s is not a yes/no value; expected one of: %(choices)s.",
                    value=row.values[column],
                    choices=", ".join(TRUE_WORDS + FALSE_WORDS),
                ),
            )


def _parse_choices(env, row):
    for column, choices in (
        ("service_type", SERVICE_TYPE_KEYS),
        ("device_type", DEVICE_TYPE_KEYS),
    ):
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
