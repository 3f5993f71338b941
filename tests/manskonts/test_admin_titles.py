"""Admin titles and buttons name the model in the accusative ("Labot pasūtījumu"), never in
Django's nominative ("Labot pasūtījums", "Pievienot vēl Pasūtījuma daļa")."""

import json
from decimal import Decimal

import lxml.html
import pytest
from django.contrib import admin
from django.urls import reverse

from billing.models import Overpayment
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    OrderPartFactory,
    PaymentFactory,
    StaffFactory,
)

# Package models (two-factor devices, sign-in lockouts) have English names and no Latvian one.
PACKAGE_APPS = {"otp_totp", "otp_static", "django_otp_webauthn", "axes"}
PROJECT_ADMINS = [
    model_admin
    for model, model_admin in admin.site._registry.items()
    if model._meta.app_label not in PACKAGE_APPS
]


def h1(response) -> str:
    page = lxml.html.fromstring(response.content.decode())
    return " ".join(page.xpath("//div[@id='content']/h1")[0].text_content().split())


@pytest.fixture
def superuser_http(client, db):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_every_project_admin_names_its_model_in_the_accusative():
    missing = [type(a).__name__ for a in PROJECT_ADMINS if not getattr(a, "accusative", None)]

    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("model_admin", PROJECT_ADMINS, ids=lambda a: a.opts.label)
def test_list_title_names_the_model_in_the_accusative(superuser_http, model_admin):
    opts = model_admin.opts

    response = superuser_http.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    verb = "labot" if model_admin.has_change_permission(response.wsgi_request) else "apskatīt"
    assert h1(response) == f"Izvēlieties {model_admin.accusative}, ko {verb}"
    page = response.content.decode()
    if model_admin.has_add_permission(response.wsgi_request):
        assert f"Pievienot {model_admin.accusative}" in page
    assert f"Pievienot {opts.verbose_name}<" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "title"),
    [
        ("admin:orders_order_add", "Pievienot pasūtījumu"),
        ("admin:orders_orderpart_add", "Pievienot pasūtījuma daļu"),
        ("admin:billing_invoice_add", "Pievienot rēķinu"),
        ("admin:billing_payment_add", "Pievienot maksājumu"),
        ("admin:accounts_client_add", "Pievienot klientu"),
        ("admin:orders_service_add", "Pievienot pakalpojumu"),
    ],
)
def test_add_page_title_is_in_the_accusative(superuser_http, url_name, title):
    assert h1(superuser_http.get(reverse(url_name))) == title


@pytest.mark.django_db
def test_change_pages_say_labot_or_apskatit_with_the_accusative(superuser_http):
    part = OrderPartFactory()
    invoice = InvoiceFactory()
    payment = PaymentFactory()
    eservice = EServiceFactory()
    overpayment = Overpayment.objects.create(
        invoice=invoice, amount=Decimal("1.00"), source="treasury", external_id="t-1"
    )

    titles = {
        name: h1(superuser_http.get(reverse(name, args=[pk])))
        for name, pk in [
            ("admin:orders_order_change", part.order.pk),
            ("admin:orders_orderpart_change", part.pk),
            ("admin:eservices_eservice_change", eservice.pk),
            ("admin:billing_invoice_change", invoice.pk),
            ("admin:billing_payment_change", payment.pk),
            ("admin:billing_overpayment_change", overpayment.pk),
        ]
    }

    assert titles == {
        "admin:orders_order_change": "Labot pasūtījumu",
        "admin:orders_orderpart_change": "Labot pasūtījuma daļu",
        "admin:eservices_eservice_change": "Labot e-pakalpojumu",
        "admin:billing_invoice_change": "Labot rēķinu",
        "admin:billing_payment_change": "Labot maksājumu",
        # nobody edits an overpayment: its page only shows it
        "admin:billing_overpayment_change": "Apskatīt pārmaksu",
    }


def add_another_buttons(response) -> dict[str, str]:
    return {
        inline.formset.prefix: json.loads(inline.inline_formset_data())["options"]["addText"]
        for inline in response.context["inline_admin_formsets"]
        if inline.has_add_permission
    }


@pytest.mark.django_db
def test_inline_add_another_buttons_are_in_the_accusative(superuser_http):
    part = OrderPartFactory()
    eservice = EServiceFactory()

    order_page = superuser_http.get(reverse("admin:orders_order_change", args=[part.order.pk]))
    part_page = superuser_http.get(reverse("admin:orders_orderpart_change", args=[part.pk]))
    eservice_page = superuser_http.get(
        reverse("admin:eservices_eservice_change", args=[eservice.pk])
    )

    assert add_another_buttons(order_page) == {"parts": "Pievienot vēl pasūtījuma daļu"}
    assert add_another_buttons(part_page) == {"documents-2": "Pievienot vēl rezultātu"}
    assert add_another_buttons(eservice_page) == {"documents-2": "Pievienot vēl rezultātu"}


@pytest.mark.django_db
def test_english_admin_keeps_djangos_own_titles(superuser_http):
    part = OrderPartFactory()
    superuser_http.cookies["manskonts_language"] = "en"

    change = superuser_http.get(reverse("admin:orders_order_change", args=[part.order.pk]))
    listing = superuser_http.get(reverse("admin:orders_order_changelist"))

    assert h1(change) == "Change order"
    assert add_another_buttons(change) == {"parts": "Add another Order part"}
    assert h1(listing) == "Select order to change"
    assert "Add order" in listing.content.decode()
