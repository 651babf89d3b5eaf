"""Russian taxpayer identifiers: INN (ИНН) check digits and the KPP (КПП) format.

Pure functions, no Odoo: the partner constraints turn their answers into
translated errors.
"""

import re

INN_10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_12_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
INN_12_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
# tax office (4 digits), reason (2 digits or capital Latin letters), number (3 digits)
KPP_PATTERN = re.compile(r"^\d{4}[0-9A-Z]{2}\d{3}$")


def _check_digit(digits, weights):
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def inn_problem(inn):
    """Why ``inn`` is not a valid INN: "format", "checksum" or None when valid.

    A legal entity's INN has 10 digits (one check digit), a person's or an
    individual entrepreneur's 12 (two check digits).
    """
    if not inn or not inn.isdigit() or len(inn) not in (10, 12):
        return "format"
    digits = [int(char) for char in inn]
    if len(inn) == 10:
        valid = _check_digit(digits, INN_10_WEIGHTS) == digits[9]
    else:
        valid = (
            _check_digit(digits, INN_12_WEIGHTS_11) == digits[10]
            and _check_digit(digits, INN_12_WEIGHTS_12) == digits[11]
        )
    return None if valid else "checksum"


def is_valid_kpp(kpp):
    """Whether ``kpp`` has the 9-character KPP format."""
    return bool(kpp) and bool(KPP_PATTERN.match(kpp))


def normalize_tax_id(value):
    """The identifier without the spaces people type in it, upper case."""
    return "".join(value.split()).upper() if value else value
