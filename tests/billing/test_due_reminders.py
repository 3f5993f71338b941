"""An unpaid prepayment invoice: the client is reminded before its due date (once per due date),
and once past due it is on the clerk's desk."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from billing.models import Invoice
from billing.services import past_due_prepayments, record_payment, remind_invoices_due
from notifications.models import Notification
from tests.factories import InvoiceFactory, StaffFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 1)


def invoice(due: date, **kwargs) -> Invoice:
    return InvoiceFactory(issued_on=date(2026, 11, 20), due_on=due, **kwargs)


def told(invoice) -> list[str]:
    return list(
        Notification.objects.filter(client=invoice.client, subject__contains="apmaksas termiņš")
        .order_by("pk")
        .values_list("subject", flat=True)
    )


def test_an_unpaid_prepayment_due_within_three_days_is_reminded_once(
    settings, django_capture_on_commit_callbacks
):
    settings.INVOICE_DUE_REMINDER_DAYS = 3
    soon = invoice(TODAY + timedelta(days=3))
    later = invoice(TODAY + timedelta(days=4))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_invoices_due(TODAY) == 1
    assert remind_invoices_due(TODAY) == 0
    assert remind_invoices_due(TODAY + timedelta(days=1)) == 1  # `later` enters the window
    assert told(soon) == [f"Rēķina {soon.number} apmaksas termiņš pēc 3 dienām"]
    assert told(later) == [f"Rēķina {later.number} apmaksas termiņš pēc 3 dienām"]
    assert [m.subject for m in mail.outbox] == [
        f"Mans konts: Rēķina {soon.number} apmaksas termiņš pēc 3 dienām"
    ]
    assert reverse("billing:invoice_detail", args=[soon.number]) in mail.outbox[0].body
    assert "jāmaksā 13,45" in mail.outbox[0].body


def test_a_paid_or_final_invoice_is_not_reminded(settings):
    settings.INVOICE_DUE_REMINDER_DAYS = 3
    paid = invoice(TODAY + timedelta(days=1))
    record_payment(paid, Decimal("13.45"), source="treasury", external_id="t-1", paid_on=TODAY)
    invoice(TODAY + timedelta(days=1), kind=Invoice.Kind.FINAL)
    assert remind_invoices_due(TODAY) == 0


def test_a_partly_paid_invoice_is_reminded_of_what_it_still_owes(settings):
    settings.INVOICE_DUE_REMINDER_DAYS = 3
    partly = invoice(TODAY)
    record_payment(partly, Decimal("3.45"), source="treasury", external_id="t-2", paid_on=TODAY)
    assert remind_invoices_due(TODAY) == 1
    notice = Notification.objects.get(client=partly.client, subject__contains="Šodien")
    assert "jāmaksā 10,00" in notice.body


def test_a_moved_due_date_is_reminded_of_again(settings):
    settings.INVOICE_DUE_REMINDER_DAYS = 3
    moved = invoice(TODAY + timedelta(days=2))
    assert remind_invoices_due(TODAY) == 1
    Invoice.objects.filter(pk=moved.pk).update(due_on=TODAY + timedelta(days=10))
    assert remind_invoices_due(TODAY + timedelta(days=8)) == 1


def test_past_due_prepayments_are_on_the_desk_longest_overdue_first(client):
    past = invoice(TODAY - timedelta(days=1))
    older = invoice(TODAY - timedelta(days=5))
    invoice(TODAY)  # due today: not yet past
    invoice(TODAY - timedelta(days=1), kind=Invoice.Kind.FINAL)
    assert set(past_due_prepayments(Invoice.objects.all(), TODAY)) == {past, older}
    client.force_login(StaffFactory(is_superuser=True))
    listed = client.get(reverse("admin:billing_invoice_changelist"), {"apmaksa": "kavets"})
    # The real today is the invoices' 1 December or later: both are past due, the older first.
    assert [i.pk for i in listed.context["cl"].result_list][:2] == [older.pk, past.pk]
