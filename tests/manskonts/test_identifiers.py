import pytest
from django.core.exceptions import ValidationError

from manskonts.identifiers import (
    format_cadastral,
    normalize_cadastral,
    normalize_personal_code,
    normalize_registration_number,
)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("1300 026 3302", "13000263302", "1300 026 3302"),
        ("1300 026 3302 001", "13000263302001", "1300 026 3302 001"),
        ("13000263302001002", "13000263302001002", "1300 026 3302 001 002"),
        (" 0100-001-0001 ", "01000010001", "0100 001 0001"),
    ],
)
def test_cadastral_designation_accepts_spaces_stores_digits_shows_groups(typed, stored, shown):
    assert normalize_cadastral(typed) == stored
    assert format_cadastral(stored) == shown


@pytest.mark.parametrize("bad", ["", "1300 026 330", "130002633021", "1300 026 33O2", "x" * 11])
def test_cadastral_designation_of_wrong_length_or_letters_is_refused(bad):
    with pytest.raises(ValidationError):
        normalize_cadastral(bad)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("120585-12340", "12058512340"),  # old form with a valid check digit
        ("03039214561", "03039214561"),
        ("320517-41234", "32051741234"),  # new form, 32…
        ("351202-78901", "35120278901"),  # new form, 35…: python-stdnum alone would refuse it
        ("39000000001", "39000000001"),
    ],
)
def test_personal_code_valid_old_and_new_forms(typed, stored):
    assert normalize_personal_code(typed) == stored


@pytest.mark.parametrize(
    "bad",
    [
        "120585-12341",  # wrong check digit
        "320517-4123",  # too short
        "310299-12345",  # 31 February does not exist (old form)
        "40003517893",  # a registration number, not a person
        "30000000000",  # 30… is neither form
        "abcdefghijk",
    ],
)
def test_personal_code_invalid_is_refused(bad):
    with pytest.raises(ValidationError):
        normalize_personal_code(bad)


@pytest.mark.parametrize("good", ["40003517893", "4000 3517 893", "90000123450", "50003123455"])
def test_registration_number_valid(good):
    assert normalize_registration_number(good) == good.replace(" ", "")


@pytest.mark.parametrize("bad", ["40003517894", "12058512340", "4000351789", "3000351789x"])
def test_registration_number_invalid_is_refused(bad):
    with pytest.raises(ValidationError):
        normalize_registration_number(bad)
