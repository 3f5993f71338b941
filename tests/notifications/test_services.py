"""Who is told what: status changes (also through the admin), results, invoices; legal persons."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from billing.notices import notify_invoice_issued
from notifications.models import Notification
from orders.models import OrderPart
from orders.workflow import OrderStatus
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    MembershipFactory,
    OrderFactory,
    OrderPartFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_status_change_through_the_admin_notifies_and_emails(
    client, clerk, owner, owner_client, mailoutbox, django_capture_on_commit_callbacks
):
    part = OrderPartFactory(
        order=OrderFactory(client=owner_client, number="2026-0000777"),
        status=OrderStatus.REGISTERED,
    )
    client.force_login(clerk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:orders_orderpart_changelist"),
            {
                "action": "change_status",
                "_selected_action": [part.pk],
                "apply": "1",
                "new_status": OrderStatus.IN_PROGRESS,
                "note": "",
            },
        )

    assert response.status_code == 302
    notification = Notification.objects.get()
    assert (notification.recipient, notification.client, notification.kind) == (
        owner,
        owner_client,
        Notification.Kind.STATUS,
    )
    assert notification.subject == "Pasūtījuma 2026-0000777 statuss: Izpildē"
    assert notification.link == reverse("orders:detail", args=["2026-0000777"])
    assert notification.emailed_at is not None
    [email] = mailoutbox
    assert email.to == [owner.email]
    assert email.subject == "Mans konts: Pasūtījuma 2026-0000777 statuss: Izpildē"
    assert "http://127.0.0.1:8000/mans-konts/pasutijumi/2026-0000777/" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "2026-0000777" in html


def test_eservice_status_change_in_the_admin_form_notifies(
    client, clerk, owner, owner_client, mailoutbox, django_capture_on_commit_callbacks
):
    eservice = EServiceFactory(client=owner_client)
    client.force_login(clerk)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:eservices_eservice_changelist"),
            {
                "action": "change_status",
                "_selected_action": [eservice.pk],
                "apply": "1",
                "new_status": "processing",
            },
        )

    assert Notification.objects.get().subject == f"E-pakalpojuma {eservice.pk} statuss: Apstrādē"
    assert len(mailoutbox) == 1


def test_every_user_of_a_legal_person_is_notified(
    legal, legal_admin, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    inactive = MembershipFactory(client=legal, role=Membership.Role.USER).user
    inactive.is_active = False
    inactive.save()
    no_email = MembershipFactory(client=legal, user=UserFactory(email="")).user
    part = OrderPartFactory(order=OrderFactory(client=legal))

    with django_capture_on_commit_callbacks(execute=True):
        from orders.services import change_order_part_status

        change_order_part_status(part, OrderStatus.REGISTERED)

    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {legal_admin.pk, colleague.pk, no_email.pk}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([legal_admin.email, colleague.email])


def test_invoice_issued_notifies_with_number_amount_and_due_date(
    owner, owner_client, mailoutbox, django_capture_on_commit_callbacks
):
    invoice = InvoiceFactory(order=OrderFactory(client=owner_client, number="2026-0000555"))

    with django_capture_on_commit_callbacks(execute=True):
        notify_invoice_issued(invoice)

    notification = Notification.objects.get()
    assert notification.kind == Notification.Kind.INVOICE
    assert notification.subject == f"Izrakstīts rēķins {invoice.number} pasūtījumam 2026-0000555"
    assert "13,45\xa0€" in notification.body
    assert invoice.due_on.strftime("%d.%m.%Y") in notification.body
    assert notification.link == reverse("billing:invoice_detail", args=[invoice.number])
    assert len(mailoutbox) == 1


def test_result_attached_notification_names_the_order(
    owner, owner_client, django_capture_on_commit_callbacks
):
    from documents.services import attach_result
    from manskonts.validation import validate_upload
    from tests.documents import samples

    part = OrderPartFactory(order=OrderFactory(client=owner_client, number="2026-0000556"))

    attach_result(
        validate_upload(samples.upload("izziņa.pdf", samples.PDF)),
        by=None,
        order_part=OrderPart.objects.get(pk=part.pk),
    )

    notification = Notification.objects.get()
    assert notification.kind == Notification.Kind.RESULT
    assert notification.subject == "Pasūtījumam 2026-0000556 pievienots rezultāts"
    assert "„izziņa.pdf”" in notification.body


def test_payment_received_notifies_what_is_still_owed_then_that_it_is_paid(
    owner, owner_client, mailoutbox, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from billing.services import record_payment

    invoice = InvoiceFactory(order=OrderFactory(client=owner_client, number="2026-0000557"))

    with django_capture_on_commit_callbacks(execute=True):
        record_payment(invoice, Decimal("5.00"), source="statement", external_id="camt-1")
        record_payment(
            invoice, invoice.total - Decimal("5.00"), source="statement", external_id="camt-2"
        )
        record_payment(
            invoice, Decimal("1.00"), source="statement", external_id="camt-2"
        )  # repeated

    first, second = Notification.objects.order_by("id")
    assert first.kind == second.kind == Notification.Kind.PAYMENT
    assert first.subject == f"Saņemts maksājums par rēķinu {invoice.number}"
    assert first.body == (
        f"Saņemti 5,00\xa0€ par rēķinu {invoice.number} (pasūtījums 2026-0000557). "
        "Vēl jāsamaksā 8,45\xa0€."
    )
    assert second.body.endswith("Rēķins ir apmaksāts pilnībā.")
    assert second.link == reverse("billing:invoice_detail", args=[invoice.number])
    assert len(mailoutbox) == 2
