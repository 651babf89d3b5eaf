"""Pure helpers for telecom identifiers: MSISDN (E.164), ICCID (Luhn), IMSI.

They raise ``ValidationError`` with a translated message; callers pass the
environment so the message is in the user's language.
"""

import re

import phonenumbers

from odoo.exceptions import ValidationError

_NON_DIGITS = re.compile(r"[\s\-().]")


def luhn_is_valid(digits):
    """Return True when the digit string carries a valid Luhn check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def luhn_check_digit(digits_without_check):
    """Return the Luhn check digit to append to ``digits_without_check``."""
    for candidate in "0123456789":
        if luhn_is_valid(digits_without_check + candidate):
            return candidate
    raise ValueError(digits_without_check)  # unreachable: one digit always fits


def normalize_msisdn(env, number, country_code="RU"):
    """Return ``number`` in E.164 (``+79161234567``) or raise ValidationError.

    National formats are read with ``country_code`` (``8 916 123-45-67`` and
    ``9161234567`` both give ``+79161234567`` for Russia).
    """
    raw = (number or "").strip()
    if not raw:
        raise ValidationError(env._("A phone number is required."))
    cleaned = _NON_DIGITS.sub("", raw)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        parsed = phonenumbers.parse(
            cleaned, None if cleaned.startswith("+") else country_code
        )
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            env._("%(number)s is not a phone number.", number=raw)
        ) from error
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            env._(
                "%(number)s is not a valid phone number "
                "(E.164 expected, e.g. +79161234567).",
                number=raw,
            )
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalize_iccid(env, iccid):
    """Return the ICCID as digits (19 or 20, starting with 89, Luhn-valid)."""
    digits = _NON_DIGITS.sub("", iccid or "")
    if not digits.isdigit() or len(digits) not in (19, 20):
        raise ValidationError(
            env._("ICCID %(iccid)s must have 19 or 20 digits.", iccid=iccid)
        )
    if not digits.startswith("89"):
        raise ValidationError(
            env._(
                "ICCID %(iccid)s must start with 89 (telecommunication industry).",
                iccid=iccid,
            )
        )
    if not luhn_is_valid(digits):
        raise ValidationError(
            env._("ICCID %(iccid)s has a wrong check digit.", iccid=iccid)
        )
    return digits


def normalize_imsi(env, imsi):
    """Return the IMSI as 15 digits (MCC + MNC + MSIN)."""
    digits = _NON_DIGITS.sub("", imsi or "")
    if not digits.isdigit() or len(digits) != 15:
        raise ValidationError(env._("IMSI %(imsi)s must have 15 digits.", imsi=imsi))
    return digits
