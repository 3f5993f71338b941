"""Security headers on every kind of HTML response, signed in too (docs/security-tests.md, Deployment): not only
the public pages of tests/manskonts/test_headers.py but lists, details, forms with errors, the
404 / 403 pages and the staff admin."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from documents.models import Document
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
)

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, str]:
    return dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )


def assert_hardened(response, where: str) -> None:
    assert response["Content-Type"].startswith("text/html"), where
    csp = policy(response)
    assert (csp["object-src"], csp["base-uri"], csp["frame-ancestors"]) == (
        "'none'",
        "'none'",
        "'none'",
    ), where
    assert "unsafe-inline" not in response["Content-Security-Policy"], where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Referrer-Policy"] == "same-origin", where


def test_signed_in_pages_errors_and_admin_carry_the_headers(signed_in, owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    order = OrderFactory(client=owner_client)
    part = OrderPartFactory(order=order, part_number=1)
    invoice = InvoiceFactory(order=order)
    unpaid_result = DocumentFactory(order_part=part, direction=Document.Direction.RESULT)
    http = signed_in(owner)
    pages = {
        "overview": (reverse("overview"), 200),
        "e-services": (reverse("eservices:list"), 200),
        "e-service": (reverse("eservices:detail", args=[eservice.pk]), 200),
        "report": (reverse("eservices:report"), 200),
        "orders": (reverse("orders:list"), 200),
        "order": (reverse("orders:detail", args=[order.number]), 200),
        "invoices": (reverse("billing:invoice_list"), 200),
        "invoice": (reverse("billing:invoice_detail", args=[invoice.number]), 200),
        "print": (reverse("billing:invoice_print", args=[invoice.number]), 200),
        "notifications": (reverse("notifications:list"), 200),
        "applications": (reverse("accounts:application_list"), 200),
        "application form": (reverse("accounts:application_create"), 200),
        "not found": ("/mans-konts/pasutijumi/2099-0000000/", 404),
        "refused download": (reverse("documents:download", args=[unpaid_result.pk]), 403),
        "date error": (reverse("eservices:list") + "?created_from=vakar", 200),
    }

    for where, (url, status) in pages.items():
        response = http.get(url)

        assert response.status_code == status, where
        assert_hardened(response, where)

    label_error = http.post(reverse("eservices:label", args=[eservice.pk]), {"label": "x" * 101})
    assert label_error.status_code == 400
    assert_hardened(label_error, "label form with an error")


def test_staff_admin_sign_in_carries_the_headers():
    response = HttpClient().get("/admin/login/")

    assert response.status_code == 200
    assert_hardened(response, "admin sign-in")
