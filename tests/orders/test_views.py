"""Mani pasūtījumi VZD: scoping, search, sorts, pages, paid column, detail and result refusals."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.tables import ORDER_INVOICES
from documents.models import Document
from documents.tables import TABLE as DOCUMENTS
from manskonts.templatetags.manskonts import money
from orders.models import OrderPart
from orders.services import change_order_part_status
from orders.workflow import OrderStatus
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
)
from tests.tables import headers as table_headers
from tests.tables import rows as table_rows

LIST = "/mans-konts/pasutijumi/"


def ids(response) -> list[int]:
    return [p.pk for p in response.context["page"].rows]


def part(client, number, part_number=1, **kwargs) -> OrderPart:
    return OrderPartFactory(
        order=OrderFactory(client=client, number=number), part_number=part_number, **kwargs
    )


@pytest.fixture
def owner_http(owner, owner_client, signed_in):
    return signed_in(owner)


@pytest.mark.django_db
def test_list_shows_only_the_active_clients_parts(owner_client, owner_http, legal, colleague):
    mine = part(owner_client, "2026-0000001")
    part(legal, "2026-0000002")

    assert ids(owner_http.get(LIST)) == [mine.pk]


@pytest.mark.django_db
def test_exact_order_number_goes_straight_to_the_order(owner_client, owner_http):
    part(owner_client, "2026-0000123")

    response = owner_http.get(LIST, {"number": " 2026-0000123 "})

    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=["2026-0000123"])


@pytest.mark.django_db
def test_another_clients_order_number_is_not_a_redirect(owner_http, legal):
    part(legal, "2026-0000555")

    response = owner_http.get(LIST, {"number": "2026-0000555"})

    assert response.status_code == 200
    assert ids(response) == []


@pytest.mark.django_db
def test_search_by_number_prefix_date_object_status_and_eservice(owner_client, owner_http):
    now = timezone.now()
    a = part(owner_client, "2026-0000100", object_code="13000263302001", created_at=now)
    b = part(
        owner_client, "2026-0000200", object_code="01000010001", created_at=now - timedelta(40)
    )
    change_order_part_status(b, OrderStatus.REGISTERED)
    eservice = EServiceFactory(client=owner_client)
    eservice.orders.add(b.order)
    day = timezone.localdate(b.created_at).strftime("%d.%m.%Y")

    assert ids(owner_http.get(LIST, {"number": "2026-00001"})) == [a.pk]
    assert ids(owner_http.get(LIST, {"created_from": day, "created_to": day})) == [b.pk]
    assert ids(owner_http.get(LIST, {"object": "1300 026 3302"})) == [a.pk]
    assert ids(owner_http.get(LIST, {"status": "registered"})) == [b.pk]
    assert ids(owner_http.get(LIST, {"eservice": eservice.pk})) == [b.pk]


@pytest.mark.django_db
def test_sorts_in_both_directions_with_tie_break(owner_client, owner_http):
    a1 = part(owner_client, "2026-0000003", 1)
    a2 = OrderPartFactory(order=a1.order, part_number=2)
    b1 = part(owner_client, "2026-0000001", 1)
    change_order_part_status(b1, OrderStatus.REGISTERED)

    assert ids(owner_http.get(LIST, {"sort": "number"})) == [b1.pk, a1.pk, a2.pk]
    assert ids(owner_http.get(LIST, {"sort": "-number"})) == [a2.pk, a1.pk, b1.pk]
    assert ids(owner_http.get(LIST, {"sort": "part"})) == [b1.pk, a1.pk, a2.pk]
    assert ids(owner_http.get(LIST, {"sort": "-part"})) == [a2.pk, a1.pk, b1.pk]
    assert ids(owner_http.get(LIST, {"sort": "status"})) == [a1.pk, a2.pk, b1.pk]
    assert ids(owner_http.get(LIST, {"sort": "-status"})) == [b1.pk, a2.pk, a1.pk]
    assert ids(owner_http.get(LIST, {"sort": "created"}))[-1] == b1.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"created_from": "rīt"},
        {"object": "abc"},
        {"object": "1" * 40},
        {"eservice": "x"},
        {"status": "deleted"},
        {"sort": "order__client"},
        {"page": "99999"},
        {"cursor": "<b>"},
        {"number": "x" * 10_000},
        {"number": "' OR 1=1 --"},
    ],
)
def test_bad_input_gives_a_page_never_a_500(owner_client, owner_http, params):
    part(owner_client, "2026-0000001")

    response = owner_http.get(LIST, params)

    assert response.status_code == 200


@pytest.mark.django_db
def test_paid_column_uses_the_one_paid_in_full_decision(owner_client, owner_http):
    paid = part(owner_client, "2026-0000001")
    PaymentFactory(invoice=InvoiceFactory(order=paid.order))
    unpaid = part(owner_client, "2026-0000002")
    InvoiceFactory(order=unpaid.order)
    pending = part(owner_client, "2026-0000003")

    response = owner_http.get(LIST, {"sort": "number"})

    assert [r["Apmaksa"] for r in table_rows(response.content.decode())] == [
        "Apmaksāts",
        "Nav apmaksāts",
        "Rēķins vēl nav izrakstīts",
    ]
    assert pending.pk == response.context["page"].rows[2].pk


def count_queries(http, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_list_query_count_does_not_grow_with_rows(owner_client, owner_http):
    first = part(owner_client, "2026-0000001")
    InvoiceFactory(order=first.order)
    one = count_queries(owner_http, LIST)
    for i in range(30):
        p = part(owner_client, f"2026-1{i:06d}")
        InvoiceFactory(order=p.order)
        EServiceFactory(client=owner_client).orders.add(p.order)
    many = count_queries(owner_http, LIST)
    sorted_many = count_queries(owner_http, f"{LIST}?sort=-status&status=applied")

    assert one == many == sorted_many


@pytest.mark.django_db
def test_detail_access_matrix(legal, legal_admin, colleague, outsider, signed_in):
    p = part(legal, "2026-0000777")
    url = reverse("orders:detail", args=["2026-0000777"])

    assert signed_in(legal_admin, acting_for=legal).get(url).status_code == 200
    assert signed_in(colleague, acting_for=legal).get(url).status_code == 200
    assert signed_in(colleague).get(url).status_code == 404
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(outsider).post(url).status_code in (404, 405)
    assert HttpClient().get(url).status_code == 302
    assert p.order.number == "2026-0000777"


@pytest.mark.django_db
def test_detail_says_why_a_result_cannot_be_downloaded(owner_client, owner_http):
    p = part(owner_client, "2026-0000010")
    invoice = InvoiceFactory(order=p.order, number="R2026-000321")
    DocumentFactory(order_part=p, original_name="rezultats.pdf")

    response = owner_http.get(reverse("orders:detail", args=["2026-0000010"]))
    page = response.content.decode()

    assert (
        'Apmaksājiet rēķinu <a class="govuk-link" href="/mans-konts/rekini/R2026-000321/">'
        "R2026-000321</a>." in page
    )
    assert reverse("billing:invoice_detail", args=[invoice.number]) in page
    assert reverse("documents:download", args=[p.documents.get().pk]) not in page


@pytest.mark.django_db
def test_detail_links_a_paid_result_and_shows_timeline(owner_client, owner_http):
    p = part(owner_client, "2026-0000011")
    PaymentFactory(invoice=InvoiceFactory(order=p.order))
    change_order_part_status(p, OrderStatus.REGISTERED)
    document = DocumentFactory(order_part=p, original_name="rezultats.pdf")

    page = owner_http.get(reverse("orders:detail", args=["2026-0000011"])).content.decode()

    assert reverse("documents:download", args=[document.pk]) in page
    assert "Pasūtījums reģistrēts" in page


@pytest.mark.django_db
def test_detail_invoices_table_comes_from_its_declaration(owner_client, owner_http):
    p = part(owner_client, "2026-0000012")
    invoice = InvoiceFactory(order=p.order, number="R2026-000412", total=Decimal("13.45"))
    PaymentFactory(invoice=invoice, amount=Decimal("5.00"))

    page = owner_http.get(reverse("orders:detail", args=["2026-0000012"])).content.decode()

    assert table_headers(page, "order-invoices") == [str(c.label) for c in ORDER_INVOICES.columns]
    [row] = table_rows(page, "order-invoices")
    assert 'href="/mans-konts/rekini/R2026-000412/">R2026-000412</a>' in row["Rēķina Nr."]
    assert row["Veids"] == invoice.get_kind_display()
    assert row["Datums"] == invoice.issued_on.strftime("%d.%m.%Y")
    assert row["Apmaksāt līdz"] == invoice.due_on.strftime("%d.%m.%Y")
    assert row["Summa"] == money(Decimal("13.45"))
    assert row["Samaksāts"] == money(Decimal("5.00"))


@pytest.mark.django_db
def test_detail_documents_table_comes_from_its_declaration(owner_client, owner_http):
    p = part(owner_client, "2026-0000013")
    kept = DocumentFactory(
        order_part=p, original_name="plāns.pdf", direction=Document.Direction.SUBMITTED
    )
    DocumentFactory(
        order_part=p,
        original_name="vecs.pdf",
        direction=Document.Direction.SUBMITTED,
        deleted_at=timezone.now(),
    )

    page = owner_http.get(reverse("orders:detail", args=["2026-0000013"])).content.decode()

    assert table_headers(page, "documents") == [str(c.label) for c in DOCUMENTS.columns]
    first, deleted = table_rows(page, "documents")
    assert reverse("documents:download", args=[kept.pk]) in first["Datne"]
    assert "(100\xa0baiti)" in first["Datne"]
    assert first["Veids"] == "Iesniegts"
    assert first["Pievienota"] == timezone.localdate(kept.uploaded_at).strftime("%d.%m.%Y")
    assert first["Pieejama līdz"] == "bez termiņa"
    assert first["Paraksts"] == "—"
    assert "vecs.pdf" in deleted["Datne"] and "href" not in deleted["Datne"]
    assert deleted["Pieejama līdz"].startswith("dzēsta ")
