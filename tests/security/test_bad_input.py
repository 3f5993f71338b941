"""Bad input everywhere (docs/security-tests.md, last section): every filter, sort, page and text field of the
client pages gets text in a date, an unknown sort key, page 99999, 10 000 characters, Unicode and
SQL/HTML metacharacters; a NUL byte (which PostgreSQL text cannot hold) where a value reaches a
query. Never a 500; never the payload unescaped in the page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils.html import escape

from accounts.models import LegalPersonApplication, Membership
from billing.filters import InvoiceFilter
from eservices.filters import EServiceFilter
from eservices.models import EService
from notifications.models import Notification
from orders.filters import OrderPartFilter
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
)

SCRIPT = "<script>alert('xss')</script>"
BAD_VALUES = {
    "date_text": "vakar",
    "huge_page": "99999",
    "negative": "-1",
    "long": "x" * 10_000,
    "html": f'"><{SCRIPT}<img src=x onerror=alert(1)>',
    "sql": "' OR 1=1; DROP TABLE orders_order; --",
    "unicode": "Ķēniņš Ūdrīšs 🏠 \u202egnp.exe ＜script＞ \ufeff",
    "percent": "%' OR '%'='",
}
NUL = "a\x00b"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

pytestmark = pytest.mark.django_db


def assert_safe(response, where: str) -> None:
    assert response.status_code < 500, where
    if response.get("Content-Type", "").startswith("text/html"):
        page = response.content.decode()
        assert SCRIPT not in page, f"{where}: unescaped"
        assert "<img src=x" not in page, f"{where}: unescaped"


@pytest.fixture
def owner_http(signed_in, owner, owner_client):
    eservice = EServiceFactory(client=owner_client, label="Mans")
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order, part_number=1)
    eservice.orders.add(order)
    InvoiceFactory(order=order)
    Notification.objects.create(
        client=owner_client, recipient=owner, kind="status", subject="S", body="B"
    )
    return signed_in(owner)


def filter_params(filterset) -> list[str]:
    return [*filterset.base_filters, "sort", "page", "cursor"]


LIST_PARAMS = [
    *[("eservices:list", p) for p in filter_params(EServiceFilter)],
    *[("eservices:report", p) for p in filter_params(EServiceFilter)],
    *[("orders:list", p) for p in filter_params(OrderPartFilter)],
    *[("billing:invoice_list", p) for p in filter_params(InvoiceFilter)],
    *[("notifications:list", p) for p in ("sort", "page", "cursor")],
    ("accounts:application_list", "page"),
    ("overview", "page"),
    ("accounts:login", "next"),
]


@pytest.mark.parametrize(("url_name", "param"), LIST_PARAMS)
def test_every_list_parameter_survives_bad_values(owner_http, url_name, param):
    url = reverse(url_name)
    for name, value in BAD_VALUES.items():
        response = owner_http.get(url, {param: value})

        assert_safe(response, f"{url}?{param}=<{name}>")
        assert response.status_code in (200, 302), f"{url}?{param}=<{name}>"


@pytest.mark.parametrize("url_name", ["eservices:list", "orders:list", "billing:invoice_list"])
def test_every_bad_value_in_every_parameter_at_once(owner_http, url_name):
    filterset = {
        "eservices:list": EServiceFilter,
        "orders:list": OrderPartFilter,
        "billing:invoice_list": InvoiceFilter,
    }[url_name]
    for name, value in BAD_VALUES.items():
        params = dict.fromkeys(filter_params(filterset), value)

        response = owner_http.get(reverse(url_name), params)

        assert_safe(response, f"{url_name} all=<{name}>")
        assert response.status_code == 200, f"{url_name} all=<{name}>"


@pytest.mark.parametrize("param", filter_params(EServiceFilter))
def test_excel_export_with_bad_filters_is_a_message_never_a_500(owner_http, param):
    for name, value in BAD_VALUES.items():
        url = reverse("eservices:report_export") + "?" + _query(param, value)

        response = owner_http.post(url)

        assert response.status_code in (200, 302), f"export {param}=<{name}>"


def _query(param: str, value: str) -> str:
    from urllib.parse import urlencode

    return urlencode({param: value})


# --- Text fields of the forms ---------------------------------------------------------------------


def test_own_label_with_metacharacters_is_refused_or_stored_and_shown_escaped(
    owner_http, owner_client
):
    eservice = EService.objects.get(client=owner_client)
    url = reverse("eservices:label", args=[eservice.pk])
    for name, value in BAD_VALUES.items():
        response = owner_http.post(url, {"label": value})

        assert_safe(response, f"label=<{name}>")
        assert response.status_code in (302, 400), f"label=<{name}>"

    stored = {"html": BAD_VALUES["html"], "sql": BAD_VALUES["sql"]}
    for name, value in stored.items():
        assert owner_http.post(url, {"label": value}).status_code == 302, name
        assert EService.objects.get(pk=eservice.pk).label == value.strip()
        for page in (reverse("eservices:detail", args=[eservice.pk]), reverse("eservices:list")):
            assert_safe(owner_http.get(page), f"{page} with label <{name}>")
    assert EService.objects.get(pk=eservice.pk).label == BAD_VALUES["sql"]


def test_label_nul_and_overlong_values_are_refused_with_a_message(owner_http, owner_client):
    eservice = EService.objects.get(client=owner_client)
    url = reverse("eservices:label", args=[eservice.pk])

    for value in (NUL, BAD_VALUES["long"]):
        response = owner_http.post(url, {"label": value})

        assert response.status_code == 400
        assert "govuk-error-summary" in response.content.decode()
    assert EService.objects.get(pk=eservice.pk).label == "Mans"


APPLICATION_FIELDS = (
    "registration_number",
    "name",
    "legal_address",
    "email",
    "phone",
    "authority",
    "user_codes",
)


def application_data(**overrides) -> dict:
    data = {
        "registration_number": "5000 312 3455",
        "name": "SIA „Jaunā Zeme”",
        "legal_address": "Krišjāņa Barona iela 1, Rīga, LV-1050",
        "email": "birojs@jauna-zeme.example.lv",
        "phone": "+371 67038600",
        "authority": "board",
        "authority_document": SimpleUploadedFile("lemums.pdf", PDF, "application/pdf"),
        "user_codes": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("field", APPLICATION_FIELDS)
def test_application_form_fields_survive_bad_values(owner_http, field):
    url = reverse("accounts:application_create")
    for name, value in BAD_VALUES.items():
        LegalPersonApplication.objects.all().delete()

        response = owner_http.post(url, application_data(**{field: value}))

        assert_safe(response, f"application {field}=<{name}>")
        assert response.status_code in (302, 400), f"application {field}=<{name}>"
        if response.status_code == 400:
            assert LegalPersonApplication.objects.count() == 0
            assert "govuk-error-summary" in response.content.decode()


def test_application_with_html_in_its_name_is_shown_escaped(owner_http, owner):
    response = owner_http.post(
        reverse("accounts:application_create"),
        application_data(name=BAD_VALUES["html"], legal_address=BAD_VALUES["sql"]),
    )
    application = LegalPersonApplication.objects.get(applicant=owner)

    assert response.status_code == 302
    assert application.name == BAD_VALUES["html"]
    assert_safe(owner_http.get(response["Location"]), "application detail")
    assert_safe(owner_http.get(reverse("accounts:application_list")), "application list")


@pytest.fixture
def admin_http(signed_in, legal, legal_admin, colleague):
    return signed_in(legal_admin, acting_for=legal)


def test_user_management_fields_survive_bad_values(admin_http, legal, colleague):
    membership = Membership.objects.get(user=colleague, client=legal)
    before = set(Membership.objects.values_list("client_id", "user_id", "role"))
    for name, value in BAD_VALUES.items():
        posts = [
            (reverse("accounts:user_add"), {"personal_code": value, "role": "user"}),
            (reverse("accounts:user_add"), {"personal_code": "32000000777", "role": value}),
            (reverse("accounts:user_role", args=[membership.pk]), {"role": value}),
        ]
        for url, data in posts:
            response = admin_http.post(url, data)

            assert_safe(response, f"{url} <{name}>")
            assert response.status_code in (302, 400), f"{url} <{name}>"

    assert set(Membership.objects.values_list("client_id", "user_id", "role")) == before


def test_switch_pay_demo_bank_and_mark_read_survive_bad_values(owner_http, owner, owner_client):
    from billing.models import PaymentAttempt
    from billing.portal_payments import start_attempt

    invoice = InvoiceFactory(order=OrderFactory(client=owner_client))
    attempt = start_attempt(owner_client, owner, [invoice.number], "demo")
    notification = Notification.objects.get(recipient=owner)
    for name, value in BAD_VALUES.items():
        posts = [
            (reverse("accounts:switch"), {"client": value, "next": value}),
            (reverse("billing:pay"), {"invoice": [value, value]}),
            (reverse("billing:demo_bank", args=[attempt.reference]), {"action": value}),
            (reverse("notifications:mark_read", args=[notification.pk]), {"open": value}),
            (reverse("set_language"), {"language": value, "next": value}),
        ]
        for url, data in posts:
            response = owner_http.post(url, data)

            assert_safe(response, f"{url} <{name}>")
            assert response.status_code in (302, 303, 400, 404), f"{url} <{name}>"
            if response.status_code in (302, 303):
                assert not response["Location"].startswith(("//", "http")), f"{url} <{name}>"

    assert PaymentAttempt.objects.get().status == "pending"
    assert PaymentAttempt.objects.count() == 1


def test_upload_part_and_odd_file_names_survive_bad_values(owner_http, owner_client, settings):
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order, part_number=1)
    OrderPartFactory(order=order, part_number=2)
    url = reverse("documents:upload_order", args=[order.number])
    for name, value in BAD_VALUES.items():
        response = owner_http.post(
            url, {"part": value, "files": [SimpleUploadedFile("a.pdf", PDF, "application/pdf")]}
        )

        assert response.status_code == 303, f"part=<{name}>"
    page = owner_http.get(reverse("orders:detail", args=[order.number]))
    assert_safe(page, "order detail after refused uploads")


def test_demo_sign_in_survives_bad_values():
    for name, value in BAD_VALUES.items():
        response = HttpClient().post(
            reverse("accounts:demo_login"), {"person": value, "next": value}
        )

        assert response.status_code in (302, 404), f"demo sign-in <{name}>"


def test_legal_persons_pages_survive_bad_values(admin_http, legal):
    EServiceFactory(client=legal)
    for name, value in BAD_VALUES.items():
        for url_name in ("accounts:users", "eservices:list", "eservices:report"):
            response = admin_http.get(reverse(url_name), {"user": value, "group": value})

            assert_safe(response, f"{url_name} <{name}>")
            assert response.status_code == 200, f"{url_name} <{name}>"


def test_object_urls_with_odd_identifiers_are_404_never_500(owner_http):
    odd = ["x" * 1000, "' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd", "Ķ🏠", "<b>", "a%20b"]
    for value in odd:
        for prefix in (
            "/mans-konts/pasutijumi/",
            "/mans-konts/rekini/",
            "/mans-konts/rekini/maksajums/",
            "/mans-konts/e-pakalpojumi/",
            "/mans-konts/datnes/pasutijums/",
        ):
            response = owner_http.get(f"{prefix}{value}/")

            assert response.status_code == 404, f"{prefix}{value}/"
            assert_safe(response, f"{prefix}{value}/")


@pytest.mark.parametrize(
    ("url_name", "param"), [("eservices:list", "label"), ("orders:list", "number")]
)
def test_the_payload_is_echoed_escaped_in_the_filter_form(owner_http, url_name, param):
    value = SCRIPT[:20]

    response = owner_http.get(reverse(url_name), {param: value})

    assert response.status_code == 200
    assert f'value="{escape(value)}"' in response.content.decode()


# --- A NUL byte: PostgreSQL text cannot hold it, so it must never reach a query -------------------

NUL_GETS = [
    "/mans-konts/e-pakalpojumi/?label=a%00b",
    "/mans-konts/e-pakalpojumi/?order=a%00b",
    "/mans-konts/e-pakalpojumi/atskaite/?label=a%00b",
    "/mans-konts/pasutijumi/?object=a%00b",
    "/mans-konts/rekini/?state=a%00b&sort=a%00b&page=a%00b",
    "/mans-konts/pazinojumi/?page=a%00b",
    "/pieslegties/?next=a%00b",
]


@pytest.mark.parametrize("url", NUL_GETS)
def test_nul_byte_in_a_filter_is_a_page_never_a_500(owner_http, url):
    assert owner_http.get(url).status_code == 200


@pytest.mark.parametrize("name", ["billing:invoice_detail", "billing:invoice_print"])
def test_nul_byte_in_an_invoice_number_is_a_bad_request(owner_http, name):
    # Refused for every path by manskonts.nul_guard, before any lookup.
    assert owner_http.get(reverse(name, args=[NUL])).status_code == 400


def test_nul_byte_in_the_invoices_to_pay_pays_nothing(owner_http, owner_client):
    from billing.models import PaymentAttempt

    invoice = InvoiceFactory(order=OrderFactory(client=owner_client))

    response = owner_http.post(reverse("billing:pay"), {"invoice": [NUL, invoice.number]})

    assert response.status_code == 302
    assert response["Location"] == reverse("billing:invoice_list")
    assert PaymentAttempt.objects.count() == 0


def test_nul_byte_in_form_fields_is_refused(owner_http, signed_in, legal, legal_admin):
    application = owner_http.post(
        reverse("accounts:application_create"), application_data(name=NUL)
    )
    admin_http = signed_in(legal_admin, acting_for=legal)
    user_add = admin_http.post(reverse("accounts:user_add"), {"personal_code": NUL, "role": "user"})
    switch = owner_http.post(reverse("accounts:switch"), {"client": NUL})

    assert (application.status_code, user_add.status_code, switch.status_code) == (400, 400, 404)
    assert LegalPersonApplication.objects.count() == 0
