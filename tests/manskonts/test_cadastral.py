"""Cadastral designations: whichever way one comes in, its digits are stored (11, 14 or 17 ASCII
digits, spaces and hyphens dropped), anything else is refused in Latvian, and it is shown grouped."""

import pytest
from django.core.exceptions import ValidationError

from manskonts.identifier_fields import CadastralFormField
from orders.models import OrderPart
from tests.factories import EServiceFactory, OrderPartFactory

EXPECTED = "Kadastra apzīmējumā jābūt 11 (zemes vienībai), 14 (būvei) vai 17 (telpu grupai)"

VALID = [
    ("13000263302", "13000263302"),
    ("1300 026 3302", "13000263302"),
    ("1300 026 3302 001", "13000263302001"),
    ("1300 026 3302 001 001", "13000263302001001"),
    (" 1300\u00a0026\u00a03302 ", "13000263302"),  # a no-break space, as pasted from a letter
    ("0100-001-0001", "01000010001"),
]
INVALID = [
    "130002633021",  # 12 digits
    "1300 026 330",  # 10
    "1300 026 3302 0",  # 12
    "1300 026 3302 001 0011",  # 18
    "1300 026 33AB",  # letters
    "١٣٠٠٠٢٦٣٣٠٢",  # Arabic-Indic digits
    "１３００ ０２６ ３３０２",  # fullwidth digits
    "1300 026 3302³",  # a superscript
]


@pytest.mark.parametrize(("typed", "stored"), VALID)
def test_form_field_stores_the_digits_of_a_designation_typed_with_spaces(typed, stored):
    assert CadastralFormField(required=False).clean(typed) == stored


@pytest.mark.parametrize("typed", INVALID)
def test_form_field_refuses_what_is_no_designation_naming_the_expected_form(typed):
    with pytest.raises(ValidationError) as refused:
        CadastralFormField(required=False).clean(typed)

    assert EXPECTED in refused.value.messages[0]
    assert "1300 026 3302" in refused.value.messages[0]


def test_form_field_shows_stored_digits_grouped():
    field = CadastralFormField(required=False)

    assert field.prepare_value("13000263302001") == "1300 026 3302 001"
    assert not field.has_changed("13000263302", "1300 026 3302")


@pytest.mark.django_db
@pytest.mark.parametrize(("typed", "stored"), VALID)
def test_a_part_or_eservice_created_in_code_stores_the_digits(typed, stored):
    part = OrderPartFactory(object_code=typed)
    eservice = EServiceFactory(object_code=typed)

    part.refresh_from_db()
    eservice.refresh_from_db()
    assert (part.object_code, eservice.object_code) == (stored, stored)


@pytest.mark.django_db
@pytest.mark.parametrize("typed", INVALID)
def test_a_part_or_eservice_with_no_designation_is_not_stored(typed):
    part = OrderPartFactory()
    with pytest.raises(ValidationError):
        OrderPartFactory(object_code=typed)
    with pytest.raises(ValidationError):
        EServiceFactory(object_code=typed)

    part.object_code = typed
    with pytest.raises(ValidationError) as refused:
        part.full_clean()
    assert EXPECTED in refused.value.message_dict["object_code"][0]
    assert set(OrderPart.objects.values_list("object_code", flat=True)) == {"13000263302"}


@pytest.mark.django_db
def test_full_clean_leaves_the_digits_on_the_instance():
    part = OrderPartFactory()
    part.object_code = "1300 026 3302 001"

    part.full_clean()

    assert part.object_code == "13000263302001"


@pytest.mark.django_db
def test_no_designation_stays_allowed():
    part = OrderPartFactory(object_code="")

    part.full_clean()
    part.refresh_from_db()
    assert part.object_code == ""
