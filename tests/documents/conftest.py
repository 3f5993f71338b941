"""Orders and e-services with files, for the document tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from documents.models import Document
from tests.documents.signed_samples import pki, trust_store  # noqa: F401 — the signed documents' PKI
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
)


def make_document(*, name="izdruka.pdf", data=b"%PDF-1.4\n%%EOF\n", **fields) -> Document:
    return DocumentFactory(
        original_name=name,
        size=len(data),
        file=ContentFile(data, name="ignored"),
        **fields,
    )


@pytest.fixture
def paid_order(owner_client):
    """An order of the owner's, delivered "VZD kontā", its invoice paid in full."""
    order = OrderFactory(client=owner_client, number="2026-0000100")
    OrderPartFactory(order=order, part_number=1)
    invoice = InvoiceFactory(order=order, number="R2026-000100")
    PaymentFactory(invoice=invoice)
    return order


@pytest.fixture
def unpaid_order(owner_client):
    order = OrderFactory(client=owner_client, number="2026-0000200")
    OrderPartFactory(order=order, part_number=1)
    InvoiceFactory(order=order, number="R2026-000200")
    return order


@pytest.fixture
def part_paid_order(owner_client):
    order = OrderFactory(client=owner_client, number="2026-0000300")
    OrderPartFactory(order=order, part_number=1)
    invoice = InvoiceFactory(order=order, number="R2026-000300")
    PaymentFactory(invoice=invoice, amount=Decimal("5.00"))
    return order


@pytest.fixture
def owner_eservice(owner_client):
    return EServiceFactory(client=owner_client)
