"""Latvian identifiers: cadastral designations, personal codes, registration numbers, order numbers
and e-service IDs.

Input may carry spaces and hyphens; we store digits and show the grouped form. Only the ASCII digits
0–9 are digits here: Python's str.isdigit() and int() also take other scripts' digits ("٣٢"),
superscripts ("³²") and fullwidth digits ("３２"), which PostgreSQL's [0-9] checks then refuse —
so every check below is is_ascii_digits(), never isdigit() alone.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.lv import pvn

_SEPARATORS = re.compile(r"[\s\-\u00a0]+")
# Land unit (11), building (14), premises group (17); a property's cadastral number is 11 digits too.
CADASTRAL_LENGTHS = (11, 14, 17)


def digits_only(value: str) -> str:
    """The value without its spaces and hyphens (what is left may still be anything)."""
    return _SEPARATORS.sub("", value or "")


def is_ascii_digits(value: str) -> bool:
    """True for a non-empty string of 0–9 only; False for "٣٢", "³²", "３２", "3\u0332" and ""."""
    return value.isascii() and value.isdigit()


def normalize_cadastral(value: str) -> str:
    """Return the digits of a cadastral designation or number, or raise ValidationError."""
    digits = digits_only(value)
    if not is_ascii_digits(digits) or len(digits) not in CADASTRAL_LENGTHS:
        raise ValidationError(
            _(
                "Kadastra apzīmējumā jābūt 11 (zemes vienībai), 14 (būvei) vai 17 (telpu grupai) "
                "cipariem, piemēram, 1300 026 3302."
            ),
            code="invalid_cadastral",
        )
    return digits


def format_cadastral(digits: str) -> str:
    """1300 026 3302, 1300 026 3302 001, 1300 026 3302 001 001."""
    if not is_ascii_digits(digits) or len(digits) not in CADASTRAL_LENGTHS:
        return digits or ""
    groups = [digits[0:4], digits[4:7], digits[7:11]]
    groups += [digits[i : i + 3] for i in range(11, len(digits), 3)]
    return " ".join(groups)


def normalize_personal_code(value: str) -> str:
    """Return the 11 digits of a Latvian personal code (old or new form), or raise ValidationError.

    Old codes (DDMMYY-CNNNN) carry a birth date and a check digit, which python-stdnum checks.
    Codes issued since 1 July 2017 start 32–39 and have no birth date; python-stdnum 2.2 wrongly
    rejects those starting 33–39, so for 32–39 codes only the format is checked.
    """
    digits = digits_only(value)
    error = ValidationError(
        _(
            "Personas kods nav derīgs. Ievadiet 11 ciparus, piemēram, 010190-12345 vai 32xxxx-xxxxx."
        ),
        code="invalid_personal_code",
    )
    if not is_ascii_digits(digits) or len(digits) != 11:
        raise error
    if digits[0] == "3" and digits[1] in "23456789":
        return digits
    if digits[0] not in "0123":
        raise error  # registration numbers start 4–9: not a person
    try:
        pvn.validate(digits)
    except StdnumError:
        raise error from None
    return digits


def format_personal_code(digits: str) -> str:
    if is_ascii_digits(digits or "") and len(digits) == 11:
        return f"{digits[:6]}-{digits[6:]}"
    return digits or ""


def normalize_registration_number(value: str) -> str:
    """Return an 11-digit legal person registration number, or raise ValidationError."""
    digits = digits_only(value)
    error = ValidationError(
        _("Reģistrācijas numurs nav derīgs. Ievadiet 11 ciparus, piemēram, 40003000000."),
        code="invalid_registration_number",
    )
    if not is_ascii_digits(digits) or len(digits) != 11 or digits[0] not in "4569":
        raise error
    try:
        pvn.validate(digits)
    except StdnumError:
        raise error from None
    return digits


def normalize_cadastral_prefix(value: str) -> str:
    """The digits of a cadastral designation or of its beginning ("1300 026" → "1300026"), to search
    by; "" for nothing typed; otherwise ValidationError."""
    digits = digits_only(value)
    if not digits:
        return ""
    if not is_ascii_digits(digits) or len(digits) > max(CADASTRAL_LENGTHS):
        raise ValidationError(
            _("Objektu norādiet ar kadastra apzīmējuma cipariem, piemēram, 1300 026 3302."),
            code="invalid_object",
        )
    return digits


# Order numbers are written like 2026-0000123: Latin letters, digits, hyphens and slashes.
_ORDER_NUMBER = re.compile(r"[A-Z0-9/\-]+")
ORDER_NUMBER_MAX_LENGTH = 20


def normalize_order_number(value: str) -> str:
    """An order number or its beginning, spaces dropped, in upper case; "" for nothing typed;
    otherwise ValidationError. The ASCII check comes before upper(), which maps "ﬀ" to "FF"."""
    number = "".join((value or "").split())
    if not number:
        return ""
    if not number.isascii() or not _ORDER_NUMBER.fullmatch(number.upper()):
        raise ValidationError(
            _(
                "Pasūtījuma numurā var būt tikai latīņu burti, cipari un defises, "
                "piemēram, 2026-0000123."
            ),
            code="invalid_order_number",
        )
    return number.upper()


# E-service IDs are PostgreSQL bigint keys.
MAX_ESERVICE_ID = 2**63 - 1


def normalize_eservice_id(value: str) -> int:
    """An e-service ID typed as 0–9 digits (spaces around allowed) → int; otherwise ValidationError.
    int() alone would also take "١٢", "１２" and "1_2"."""
    text = (value or "").strip()
    if not is_ascii_digits(text) or len(text) > 19 or not 1 <= int(text) <= MAX_ESERVICE_ID:
        raise ValidationError(_("E-pakalpojuma ID ir skaitlis."), code="invalid_eservice_id")
    return int(text)


def validate_cadastral(value: str) -> None:
    normalize_cadastral(value)


def validate_personal_code(value: str) -> None:
    normalize_personal_code(value)


def validate_registration_number(value: str) -> None:
    normalize_registration_number(value)
