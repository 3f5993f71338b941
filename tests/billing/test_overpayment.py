"""One invoice is never paid twice (issue 11, point 1): money beyond what an invoice owes is kept
as an overpayment to refund, whichever way it arrived, and the client is told "jau apmaksāts"."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.roles import ACCOUNTANT
from billing.camt import import_statement
from billing.models import CallbackDelivery, Payment, PaymentAttempt
from billing.portal_payments import start_attempt
from billing.services import order_payment_state, with_paid_amount
from tests.billing.helpers import SECRET, deliver, event_body, signed_headers
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory, StaffFactory

FIXTURES = Path(__file__).parent / "fixtures"
ZERO = Decimal("0.00")


def overpayments(**filters) -> list[tuple[str, Decimal, str]]:
    from billing.models import Overpayment  # the model this fix adds

    return list(
        Overpayment.objects.filter(**filters)
        .order_by("id")
        .values_list("invoice__number", "amount", "status")
    )


def paid(invoice) -> Decimal:
    return with_paid_amount(type(invoice).objects.filter(pk=invoice.pk)).get().paid_amount


def pay_at_the_bank(attempt, event_id: str):
    body = event_body(attempt, event_id=event_id)
    return deliver(HttpClient(), body, signed_headers(body))


@pytest.fixture
def secret(settings):
    settings.PAYMENT_CALLBACK_SECRET = SECRET


@pytest.fixture
def invoice(owner_client, secret):
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order)
    return InvoiceFactory(order=order)


@pytest.mark.django_db
def test_two_tabs_paying_one_invoice_record_it_paid_once_and_the_rest_as_an_overpayment(
    signed_in, owner, invoice
):
    http = signed_in(owner)
    first_tab = http.post(reverse("billing:pay"), {"invoice": [invoice.number]})
    second_tab = http.post(reverse("billing:pay"), {"invoice": [invoice.number]})
    first, second = PaymentAttempt.objects.order_by("id")
    assert first_tab.url != second_tab.url

    assert pay_at_the_bank(first, "evt-tab-1").status_code == 200
    assert pay_at_the_bank(second, "evt-tab-2").status_code == 200

    assert paid(invoice) == invoice.total
    assert Payment.objects.count() == 1
    assert overpayments() == [(invoice.number, Decimal("13.45"), "to_refund")]
    assert order_payment_state(invoice.order).paid == invoice.total
    outcomes = CallbackDelivery.objects.order_by("id").values_list("outcome", flat=True)
    assert list(outcomes) == ["accepted", "overpaid"]


@pytest.mark.django_db
def test_the_client_sees_rekins_jau_apmaksats_after_paying_again(signed_in, owner, invoice):
    http = signed_in(owner)
    http.post(reverse("billing:pay"), {"invoice": [invoice.number]})
    http.post(reverse("billing:pay"), {"invoice": [invoice.number]})
    first, second = PaymentAttempt.objects.order_by("id")
    pay_at_the_bank(first, "evt-a")
    pay_at_the_bank(second, "evt-b")

    page = http.get(reverse("billing:payment_result", args=[second.reference])).content.decode()
    detail = http.get(reverse("billing:invoice_detail", args=[invoice.number])).content.decode()

    assert "Rēķins jau apmaksāts" in page
    assert "Saņemtie 13,45\xa0€ netiek ieskaitīti otrreiz" in page
    assert "Pārmaksas" in detail
    assert "Jāatmaksā" in detail


@pytest.mark.django_db
def test_a_new_attempt_cancels_the_open_one_for_the_same_invoice(owner, owner_client, invoice):
    first = start_attempt(owner_client, owner, [invoice.number], "demo")

    second = start_attempt(owner_client, owner, [invoice.number], "demo")

    first.refresh_from_db()
    assert (first.status, second.status) == ("cancelled", "pending")
    assert PaymentAttempt.objects.filter(status="pending").count() == 1


@pytest.mark.django_db
def test_a_late_paid_callback_for_a_cancelled_attempt_records_the_money(
    owner, owner_client, invoice
):
    cancelled = start_attempt(owner_client, owner, [invoice.number], "demo")
    body = event_body(cancelled, event_id="evt-cancel", status="cancelled")
    deliver(HttpClient(), body, signed_headers(body))

    response = pay_at_the_bank(cancelled, "evt-late")

    cancelled.refresh_from_db()
    assert (response.status_code, cancelled.status) == (200, "paid")
    assert paid(invoice) == invoice.total


@pytest.mark.django_db
def test_a_paid_callback_for_a_superseded_attempt_after_the_new_one_is_an_overpayment(
    owner, owner_client, invoice
):
    old = start_attempt(owner_client, owner, [invoice.number], "demo")
    new = start_attempt(owner_client, owner, [invoice.number], "demo")
    pay_at_the_bank(new, "evt-new")

    response = pay_at_the_bank(old, "evt-old")

    assert response.status_code == 200
    assert paid(invoice) == invoice.total
    assert overpayments() == [(invoice.number, Decimal("13.45"), "to_refund")]


@pytest.mark.django_db
def test_several_invoices_in_one_attempt_overpay_only_the_one_already_paid(
    owner, owner_client, secret
):
    order = OrderFactory(client=owner_client)
    OrderPartFactory(order=order)
    first = InvoiceFactory(order=order)
    second = InvoiceFactory(order=order, kind="final")
    alone = start_attempt(owner_client, owner, [first.number], "demo")
    both = start_attempt(owner_client, owner, [first.number, second.number], "demo")
    pay_at_the_bank(alone, "evt-alone")

    pay_at_the_bank(both, "evt-both")

    assert (paid(first), paid(second)) == (first.total, second.total)
    assert Payment.objects.count() == 2
    assert overpayments() == [(first.number, Decimal("13.45"), "to_refund")]


@pytest.mark.django_db
def test_a_second_different_event_for_a_paid_attempt_is_kept_as_an_overpayment(
    owner, owner_client, invoice
):
    attempt = start_attempt(owner_client, owner, [invoice.number], "demo")
    pay_at_the_bank(attempt, "evt-1")

    response = pay_at_the_bank(attempt, "evt-2")
    repeated = pay_at_the_bank(attempt, "evt-2")

    assert (response.status_code, repeated.status_code) == (200, 200)
    assert paid(invoice) == invoice.total
    assert overpayments() == [(invoice.number, Decimal("13.45"), "to_refund")]


@pytest.fixture
def accountant(db):
    user = StaffFactory()
    user.groups.set([Group.objects.get(name=ACCOUNTANT)])
    return user


@pytest.mark.django_db
def test_a_treasury_payment_beyond_what_is_owed_is_an_overpayment(client, accountant, invoice):
    client.force_login(accountant)

    response = client.post(
        reverse("admin:billing_payment_add"),
        {"invoice": invoice.pk, "amount": "20.00", "paid_on": "19.06.2026", "reference": "VK-1"},
    )

    assert response.status_code == 302
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("13.45")]
    assert overpayments() == [(invoice.number, Decimal("6.55"), "to_refund")]


@pytest.mark.django_db
def test_a_treasury_payment_for_a_paid_invoice_goes_to_the_overpayment(client, accountant, invoice):
    client.force_login(accountant)
    data = {"invoice": invoice.pk, "amount": "13.45", "paid_on": "19.06.2026"}
    client.post(reverse("admin:billing_payment_add"), {**data, "reference": "VK-1"})

    response = client.post(reverse("admin:billing_payment_add"), {**data, "reference": "VK-2"})

    from billing.models import Overpayment

    overpayment = Overpayment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:billing_overpayment_change", args=[overpayment.pk])
    assert paid(invoice) == invoice.total
    assert overpayments() == [(invoice.number, Decimal("13.45"), "to_refund")]


@pytest.mark.django_db
def test_a_statement_entry_for_a_paid_invoice_is_an_overpayment(invoice):
    invoice.number = "R2026-900001"
    invoice.save(update_fields=["number"])
    Payment.objects.create(
        invoice=invoice, amount=invoice.total, source="treasury", external_id="treasury:x"
    )

    import_statement((FIXTURES / "camt053_statement.xml").read_bytes(), "izraksts.xml")

    assert paid(invoice) == invoice.total
    assert overpayments(invoice=invoice) == [(invoice.number, Decimal("13.45"), "to_refund")]


@pytest.mark.django_db
def test_staff_see_overpayments_and_refund_them_once_with_who_when_and_reference(
    client, accountant, owner, owner_client, invoice
):
    from billing.models import Overpayment

    first = start_attempt(owner_client, owner, [invoice.number], "demo")
    second = start_attempt(owner_client, owner, [invoice.number], "demo")
    pay_at_the_bank(first, "evt-1")
    pay_at_the_bank(second, "evt-2")
    overpayment = Overpayment.objects.get()
    client.force_login(accountant)
    changelist = reverse("admin:billing_overpayment_changelist")

    listed = client.get(changelist + "?status__exact=to_refund")
    asked = client.post(changelist, {"action": "refund", "_selected_action": [overpayment.pk]})
    done = client.post(
        changelist,
        {
            "action": "refund",
            "_selected_action": [overpayment.pk],
            "apply": "1",
            "refund_reference": "ATM-2026-17",
            "refunded_on": "22.06.2026",
        },
    )
    again = client.post(
        changelist,
        {
            "action": "refund",
            "_selected_action": [overpayment.pk],
            "apply": "1",
            "refund_reference": "ATM-2026-18",
            "refunded_on": "23.06.2026",
        },
        follow=True,
    )

    overpayment.refresh_from_db()
    assert listed.status_code == 200
    assert invoice.number in listed.content.decode()
    assert "Atmaksas maksājuma Nr." in asked.content.decode()
    assert done.status_code == 302
    assert (
        overpayment.status,
        overpayment.refund_reference,
        overpayment.refunded_on,
        overpayment.refunded_by,
    ) == ("refunded", "ATM-2026-17", date(2026, 6, 22), accountant)
    assert overpayment.refunded_at is not None
    assert "Jau bija atmaksātas, nekas nav mainīts: 1." in again.content.decode()
    assert paid(invoice) == invoice.total


@pytest.mark.django_db
def test_the_refund_action_needs_the_refund_permission(client, invoice):
    from accounts.roles import CLERK
    from billing.models import Overpayment

    overpayment = Overpayment.objects.create(
        invoice=invoice, amount=Decimal("1.00"), source="treasury", external_id="x"
    )
    clerk = StaffFactory()
    clerk.groups.set([Group.objects.get(name=CLERK)])
    client.force_login(clerk)
    changelist = reverse("admin:billing_overpayment_changelist")

    listed = client.get(changelist)
    refused = client.post(
        changelist,
        {
            "action": "refund",
            "_selected_action": [overpayment.pk],
            "apply": "1",
            "refund_reference": "ATM-1",
            "refunded_on": "22.06.2026",
        },
    )

    overpayment.refresh_from_db()
    assert listed.status_code == 200
    assert 'value="refund"' not in listed.content.decode()
    assert refused.status_code in (200, 302)
    assert overpayment.status == "to_refund"


@pytest.mark.django_db
def test_accountants_may_view_and_refund_overpayments_and_clerks_view_them():
    from accounts.roles import CLERK

    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert {"view_overpayment", "refund_overpayment"} <= codenames(ACCOUNTANT)
    assert {"change_overpayment", "delete_overpayment"} & codenames(ACCOUNTANT) == set()
    assert "view_overpayment" in codenames(CLERK)
    assert "refund_overpayment" not in codenames(CLERK)


@pytest.mark.django_db
def test_a_clerk_resolving_an_entry_for_a_paid_invoice_records_an_overpayment_and_is_told(
    client, accountant, invoice
):
    from billing.camt import import_statement as import_
    from billing.models import UnmatchedBankEntry
    from tests.billing.helpers import camt053

    Payment.objects.create(
        invoice=invoice, amount=invoice.total, source="treasury", external_id="treasury:paid"
    )
    import_(camt053("STMT-9", [("1", "13.45", "2026-06-19", "bez numura")]), "9.xml")
    entry = UnmatchedBankEntry.objects.get()
    client.force_login(accountant)
    url = reverse("admin:billing_unmatchedbankentry_change", args=[entry.pk])

    response = client.post(url, {"invoice": invoice.pk}, follow=True)

    entry.refresh_from_db()
    assert entry.resolved_at is not None and entry.payment is None
    assert overpayments() == [(invoice.number, Decimal("13.45"), "to_refund")]
    assert f"Rēķinam {invoice.number} bija jāmaksā mazāk" in response.content.decode()
    assert paid(invoice) == invoice.total


@pytest.mark.django_db
def test_the_result_names_the_one_invoice_already_paid_among_several(signed_in, owner, invoice):
    other = InvoiceFactory(order=invoice.order)
    http = signed_in(owner)
    http.post(reverse("billing:pay"), {"invoice": [invoice.number]})
    http.post(reverse("billing:pay"), {"invoice": [invoice.number, other.number]})
    first, second = PaymentAttempt.objects.order_by("id")
    pay_at_the_bank(first, "evt-c")
    pay_at_the_bank(second, "evt-d")

    page = http.get(reverse("billing:payment_result", args=[second.reference])).content.decode()

    assert "Daļa rēķinu jau bija apmaksāta: 13,45\xa0€ netiek ieskaitīti otrreiz" in page
    assert page.count("pārmaksa 13,45\xa0€ tiks atmaksāta") == 1
