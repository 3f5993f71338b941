"""Latvian identifiers: cadastral designations, personal codes and registration numbers.

Input may carry spaces and hyphens; we store digits and show the grouped form.
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
    return _SEPARATORS.sub("", value or "")


def normalize_cadastral(value: str) -> str:
    """Return the digits of a cadastral designation or number, or raise ValidationError."""
    digits = digits_only(value)
    if not digits.isdigit() or len(digits) not in CADASTRAL_LENGTHS:
        raise ValidationError(
            _(
                "Kadastra apzīmējumam jābūt 11 (zemes vienība), 14 (būve) vai 17 (telpu grupa) "
                "ciparus garam, piemēram, 1300 026 3302."
            ),
            code="invalid_cadastral",
        )
    return digits


def format_cadastral(digits: str) -> str:
    """1300 026 3302, 1300 026 3302 001, 1300 026 3302 001 001."""
    if not digits or not digits.isdigit() or len(digits) not in CADASTRAL_LENGTHS:
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
    if not digits.isdigit() or len(digits) != 11:
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
    if digits and len(digits) == 11:
        return f"{digits[:6]}-{digits[6:]}"
    return digits or ""


def normalize_registration_number(value: str) -> str:
    """Return an 11-digit legal person registration number, or raise ValidationError."""
    digits = digits_only(value)
    error = ValidationError(
        _("Reģistrācijas numurs nav derīgs. Ievadiet 11 ciparus, piemēram, 40003000000."),
        code="invalid_registration_number",
    )
    if not digits.isdigit() or len(digits) != 11 or digits[0] not in "4569":
        raise error
    try:
        pvn.validate(digits)
    except StdnumError:
        raise error from None
    return digits


def validate_cadastral(value: str) -> None:
    normalize_cadastral(value)


def validate_personal_code(value: str) -> None:
    normalize_personal_code(value)


def validate_registration_number(value: str) -> None:
    normalize_registration_number(value)
