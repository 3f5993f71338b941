"""The report's words and names, apart from any signature."""

from __future__ import annotations

import pytest

from signatures.report import signer_names


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (
            {"given_name": "Jānis", "surname": "Bērziņš", "common_name": "JĀNIS BĒRZIŅŠ",
             "serial_number": "PNOLV-010203-12345"},
            ("Jānis Bērziņš", "PNOLV-010203-12345"),
        ),
        (
            {"common_name": "O’CONNEŽ-ŠUSLIK,MARY ÄNN,60001019906",
             "serial_number": "PNOEE-60001019906"},
            ("O’CONNEŽ-ŠUSLIK, MARY ÄNN", "PNOEE-60001019906"),
        ),
        (
            {"common_name": "BĒRZIŅŠ,JĀNIS,010203-12345", "serial_number": "010203-12345"},
            ("BĒRZIŅŠ, JĀNIS", "010203-12345"),
        ),
        ({"common_name": "VZD zīmogs"}, ("VZD zīmogs", "")),
    ],
)  # fmt: skip
def test_the_name_shown_never_carries_the_personal_code(subject, expected):
    assert signer_names(subject) == expected
