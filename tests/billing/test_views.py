"""The client's invoice pages: list (filters, sort, one query plan), detail, print, and who sees what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing.models import Overpayment, Payment, PaymentAttempt
from billing.portal_payments import start_attempt
from billing.tables import OVERPAYMENTS, PAYMENTS, PRINT_PARTS
from tests.factories import InvoiceFactory, OrderFactory, PaymentFactory, own_client
from tests.tables import headers as table_headers
from tests.tables import rows as table_rows

LIST = reverse("billing:invoice_list")


def invoice_for(client, **kwargs):
    return InvoiceFactory(order=OrderFactory(client=client), **kwargs)


def numbers(response) -> list[str]:
    return [i.number for i in response.context["invoices"]]


@pytest.fixture
def mixed(owner_client):
    today = timezone.localdate()
    paid = invoice_for(
        owner_client,
        number="R2026-000001",
        issued_on=today - timedelta(days=30),
        due_on=today - timedelta(days=20),
    )
    PaymentFactory(invoice=paid)
    overdue = invoice_for(
        owner_client,
        number="R2026-000002",
        issued_on=today - timedelta(days=20),
        due_on=today - timedelta(days=1),
    )
    partly = invoice_for(
        owner_client,
        number="R2026-000003",
        issued_on=today - timedelta(days=10),
        due_on=today + timedelta(days=30),
    )
    PaymentFactory(invoice=partly, amount=Decimal("3.00"))
    unpaid = invoice_for(
        owner_client, number="R2026-000004", issued_on=today, due_on=today + timedelta(days=5)
    )
    return paid, overdue, partly, unpaid


@pytest.mark.django_db
def test_list_shows_the_clients_invoices_newest_first(signed_in, owner, mixed):
    response = signed_in(owner).get(LIST)

    assert response.status_code == 200
    assert numbers(response) == ["R2026-000004", "R2026-000003", "R2026-000002", "R2026-000001"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("unpaid", ["R2026-000004", "R2026-000003", "R2026-000002"]),
        ("overdue", ["R2026-000002"]),
        ("paid", ["R2026-000001"]),
    ],
)
def test_list_filters_by_payment_state(signed_in, owner, mixed, state, expected):
    response = signed_in(owner).get(LIST, {"state": state})

    assert numbers(response) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("date", ["R2026-000001", "R2026-000002", "R2026-000003", "R2026-000004"]),
        ("-date", ["R2026-000004", "R2026-000003", "R2026-000002", "R2026-000001"]),
        ("due", ["R2026-000001", "R2026-000002", "R2026-000004", "R2026-000003"]),
        ("-due", ["R2026-000003", "R2026-000004", "R2026-000002", "R2026-000001"]),
    ],
)
def test_list_sorts_by_date_and_due_date_both_ways(signed_in, owner, mixed, sort, expected):
    response = signed_in(owner).get(LIST, {"sort": sort})

    assert numbers(response) == expected


@pytest.mark.django_db
def test_sorting_keeps_the_filter_in_the_links(signed_in, owner, mixed):
    response = signed_in(owner).get(LIST, {"state": "unpaid", "sort": "due"})

    assert numbers(response) == ["R2026-000002", "R2026-000004", "R2026-000003"]
    assert 'href="?state=unpaid&amp;sort=-due"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"state": "nonsense"},
        {"sort": "number; DROP TABLE billing_invoice"},
        {"page": "99999"},
        {"page": "abc"},
        {"state": "<script>x</script>" * 500},
    ],
)
def test_list_survives_bad_input(signed_in, owner, mixed, params):
    response = signed_in(owner).get(LIST, params)

    assert response.status_code == 200
    assert "<script>x</script>" not in response.content.decode()


@pytest.mark.django_db
def test_a_bad_filter_value_is_named_in_the_summary_and_links_to_the_select(signed_in, owner):
    page = signed_in(owner).get(LIST, {"state": "nonsense"}).content.decode()

    assert '<a href="#id_state">Rādīt — Izvēlieties, kurus rēķinus rādīt.</a>' in page
    assert '<select class="govuk-select govuk-select--error" id="id_state" name="state"' in page
    assert 'aria-describedby="id_state-error"' in page


@pytest.mark.django_db
def test_list_never_shows_another_clients_invoices(signed_in, owner, outsider, mixed):
    invoice_for(own_client(outsider), number="R2026-000099")

    assert "R2026-000099" not in numbers(signed_in(owner).get(LIST))
    assert numbers(signed_in(outsider).get(LIST)) == ["R2026-000099"]


@pytest.mark.django_db
def test_list_runs_the_same_queries_for_one_and_many_invoices(signed_in, owner, owner_client):
    http = signed_in(owner)
    invoice_for(owner_client)
    http.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as one:
        assert http.get(LIST).status_code == 200
    for _ in range(30):
        invoice_for(owner_client)
    with CaptureQueriesContext(connection) as many:
        assert http.get(LIST).status_code == 200

    assert len(many) == len(one)


@pytest.mark.django_db
def test_list_of_a_legal_person_is_seen_by_its_users(signed_in, legal, legal_admin, colleague):
    invoice = invoice_for(legal)

    assert numbers(signed_in(colleague, acting_for=legal).get(LIST)) == [invoice.number]
    assert numbers(signed_in(legal_admin, acting_for=legal).get(LIST)) == [invoice.number]
    assert numbers(signed_in(colleague).get(LIST)) == []


@pytest.mark.django_db
def test_detail_shows_amounts_instructions_and_the_treasury_check(signed_in, owner, mixed):
    partly = mixed[2]

    response = signed_in(owner).get(reverse("billing:invoice_detail", args=[partly.number]))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["invoice"].owed == Decimal("10.45")
    for text in (
        "Priekšapmaksas rēķins",
        "11,12\xa0€",
        "2,33\xa0€",
        "13,45\xa0€",
        "3,00\xa0€",
        "10,45\xa0€",
        "LV47 TREL 9160 0000 0000 1",
        "TRELLV22",
        reverse("orders:detail", args=[partly.order.number]),
        "https://kase.gov.lv/noderigi/budzeta-veikta-maksajuma-parbaude",
        reverse("billing:invoice_print", args=[partly.number]),
    ):
        assert text in page
    assert f"<strong>{partly.number}</strong>" in page  # the payment purpose


@pytest.mark.django_db
def test_paid_invoice_detail_offers_no_payment(signed_in, owner, mixed):
    response = signed_in(owner).get(reverse("billing:invoice_detail", args=[mixed[0].number]))

    assert response.context["invoice"].owed == Decimal("0")
    assert reverse("billing:pay") not in response.content.decode()


@pytest.mark.django_db
def test_print_version_has_the_totals(signed_in, owner, mixed):
    response = signed_in(owner).get(reverse("billing:invoice_print", args=[mixed[3].number]))

    assert response.status_code == 200
    assert "mk-invoice-print" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["billing:invoice_detail", "billing:invoice_print"])
def test_another_clients_invoice_is_not_found(signed_in, outsider, mixed, name):
    url = reverse(name, args=[mixed[3].number])

    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(outsider).post(url).status_code in (404, 405)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["billing:invoice_detail", "billing:invoice_print"])
def test_invoice_pages_send_the_anonymous_to_sign_in(client, mixed, name):
    response = client.get(reverse(name, args=[mixed[3].number]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_anonymous_list_redirects_to_sign_in(client):
    assert client.get(LIST).status_code == 302


@pytest.mark.django_db
def test_legal_persons_invoice_detail_for_its_users_only(signed_in, legal, colleague, outsider):
    url = reverse("billing:invoice_detail", args=[invoice_for(legal).number])

    assert signed_in(colleague, acting_for=legal).get(url).status_code == 200
    assert signed_in(colleague).get(url).status_code == 404
    assert signed_in(outsider).get(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["billing:payment_result", "billing:demo_bank"])
def test_another_clients_payment_attempt_is_not_found(
    signed_in, owner, owner_client, outsider, name
):
    invoice = invoice_for(owner_client)
    attempt = start_attempt(owner_client, owner, [invoice.number], "demo")
    url = reverse(name, args=[attempt.reference])

    assert signed_in(owner).get(url).status_code == 200
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(outsider).post(url, {"action": "pay"}).status_code in (404, 405)
    assert PaymentAttempt.objects.get().status == "pending"


@pytest.mark.django_db
def test_invoice_page_payment_tables_come_from_their_declarations(signed_in, owner, mixed):
    partly = mixed[2]
    Overpayment.objects.create(
        invoice=partly,
        amount=Decimal("1.50"),
        source=Payment.Source.TREASURY,
        external_id="over-1",
        received_on=partly.issued_on,
    )
    http = signed_in(owner)

    page = http.get(reverse("billing:invoice_detail", args=[partly.number])).content.decode()
    printed = http.get(reverse("billing:invoice_print", args=[partly.number])).content.decode()

    assert table_headers(page, "payments") == [str(c.label) for c in PAYMENTS.columns]
    [payment] = table_rows(page, "payments")
    assert payment["Summa"] == "3,00\xa0€"
    assert payment["Veids"] == partly.payments.get().get_source_display()
    assert table_headers(page, "overpayments") == [str(c.label) for c in OVERPAYMENTS.columns]
    [overpayment] = table_rows(page, "overpayments")
    assert overpayment["Datums"] == partly.issued_on.strftime("%d.%m.%Y")
    assert overpayment["Summa"] == "1,50\xa0€"
    assert overpayment["Veids"] == str(Payment.Source.TREASURY.label)
    assert table_headers(printed, "parts") == [str(c.label) for c in PRINT_PARTS.columns]
    assert [row["Daļa"] for row in table_rows(printed, "parts")] == [
        str(p.part_number) for p in partly.order.parts.order_by("part_number")
    ]
