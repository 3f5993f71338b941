"""Cadastral designations entered in the admin (order parts, e-services) are stored as digits, the
rows stored before are normalised by a migration, and the client's object filter finds them."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from eservices.models import EService
from orders.models import OrderPart, Service
from tests.admin_pages import form_data
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory, StaffFactory

EXPECTED = "Kadastra apzīmējumā jābūt 11 (zemes vienībai), 14 (būvei) vai 17 (telpu grupai)"
REFUSED = ["130002633021", "1300 026 33AB", "١٣٠٠٠٢٦٣٣٠٢", "1300 026 3302 001 0011"]


@pytest.fixture
def superuser_http(signed_in):
    return signed_in(StaffFactory(is_superuser=True))


def edit(http, url, model, **changes):
    return http.post(url, form_data(http.get(url), model, **changes))


def add_part(http, order, object_code):
    url = reverse("admin:orders_orderpart_add")
    return edit(
        http,
        url,
        OrderPart,
        order=str(order.pk),
        part_number="1",
        service=str(Service.objects.get(code="kadastra-info-ipasums").pk),
        object_code=object_code,
        delivery_method=OrderPart.Delivery.VZD_ACCOUNT,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("1300 026 3302", "13000263302"), ("1300 026 3302 001 001", "13000263302001001")],
)
def test_admin_add_part_stores_the_digits_of_a_grouped_designation(superuser_http, typed, stored):
    order = OrderFactory()

    response = add_part(superuser_http, order, typed)

    assert response.status_code == 302
    assert OrderPart.objects.get(order=order).object_code == stored


@pytest.mark.django_db
@pytest.mark.parametrize("typed", REFUSED)
def test_admin_add_part_refuses_what_is_no_designation_naming_the_form(superuser_http, typed):
    order = OrderFactory()

    response = add_part(superuser_http, order, typed)

    assert response.status_code == 200
    assert EXPECTED in response.content.decode()
    assert not OrderPart.objects.filter(order=order).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("model", [OrderPart, EService])
def test_admin_change_shows_the_designation_grouped_and_stores_digits(superuser_http, model):
    obj = OrderPartFactory() if model is OrderPart else EServiceFactory()
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])

    shown = form_data(superuser_http.get(url), model)["object_code"]
    response = edit(superuser_http, url, model, object_code="0100 001 0001 002")

    assert shown == ["1300 026 3302"]
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.object_code == "01000010001002"


@pytest.mark.django_db
@pytest.mark.parametrize("model", [OrderPart, EService])
@pytest.mark.parametrize("typed", REFUSED)
def test_admin_change_refuses_what_is_no_designation_naming_the_form(superuser_http, model, typed):
    obj = OrderPartFactory() if model is OrderPart else EServiceFactory()
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])

    response = edit(superuser_http, url, model, object_code=typed)

    assert response.status_code == 200
    assert EXPECTED in response.content.decode()
    obj.refresh_from_db()
    assert obj.object_code == "13000263302"


@pytest.mark.django_db
def test_clients_object_filter_finds_a_part_entered_with_spaces(
    superuser_http, owner, owner_client, signed_in
):
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order, object_code="0100 001 0001")  # another object
    add_part(superuser_http, order, "1300 026 3302")  # part 1, as a clerk types it
    wanted = OrderPart.objects.get(order=order, part_number=1)

    response = signed_in(owner).get("/mans-konts/pasutijumi/", {"object": "1300 026 3302"})

    assert [p.pk for p in response.context["page"].rows] == [wanted.pk]
    assert "1300 026 3302" in response.content.decode()


MIGRATIONS = [
    ("orders.migrations.0006_object_code_stored_as_digits", OrderPartFactory),
    ("eservices.migrations.0007_object_code_stored_as_digits", EServiceFactory),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("module", "factory"), MIGRATIONS)
def test_migration_stores_digits_and_reports_what_it_cannot_normalise(module, factory):
    stored = {
        "1300 026 3302": "13000263302",
        "1300-026-3302 001": "13000263302001",
        "01000010001": "01000010001",
        "": "",
        "130002633021": "130002633021",  # 12 digits: left, reported
        "1300 026 33AB": "1300 026 33AB",  # letters: left, reported
    }
    rows = {}
    for before in stored:
        row = factory()
        # As the old code stored them: update() passes no field's checks.
        type(row).objects.filter(pk=row.pk).update(object_code=before)
        rows[before] = row.pk
    said = []

    left = importlib.import_module(module).normalize_object_codes(apps, None, out=said.append)

    model = factory._meta.model
    after = dict(model.objects.values_list("pk", "object_code"))
    assert {before: after[pk] for before, pk in rows.items()} == stored
    assert left == [
        (rows["130002633021"], "130002633021"),
        (rows["1300 026 33AB"], "1300 026 33AB"),
    ]
    assert len(said) == 1
    assert "2 left as stored" in said[0]
    assert f"id {rows['1300 026 33AB']} '1300 026 33AB'" in said[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("module", "factory"), MIGRATIONS)
def test_migration_with_nothing_to_report_says_nothing(module, factory):
    factory(object_code="13000263302")
    said = []

    assert importlib.import_module(module).normalize_object_codes(apps, None, said.append) == []
    assert said == []


@pytest.mark.django_db
@pytest.mark.parametrize("model", [OrderPart, EService])
def test_admin_lists_show_the_designation_grouped(superuser_http, model):
    (OrderPartFactory if model is OrderPart else EServiceFactory)(object_code="13000263302001")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    page = superuser_http.get(url).content.decode()

    assert "1300 026 3302 001" in page
    assert "13000263302001" not in page
