"""The back office: issuing invoices, treasury payments, statement import, unmatched entries."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from billing.forms import next_invoice_number
from billing.models import BankStatement, Invoice, Payment, UnmatchedBankEntry
from notifications.models import Notification
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory, StaffFactory, own_client

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def accountant(db):
    user = StaffFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="billing"))
    return user


@pytest.fixture
def admin_http(client, accountant):
    client.force_login(accountant)
    return client


def issue(http, order, **fields):
    data = {
        "number": "R2026-555001",
        "order": order.pk,
        "kind": "prepayment",
        "issued_on": "19.06.2026",
        "due_on": "29.06.2026",
        "total": "13.45",
        "amount_net": "",
        "vat_amount": "",
        "currency": "EUR",
        "payment_reference": "",
        "payments-TOTAL_FORMS": "0",
        "payments-INITIAL_FORMS": "0",
        **fields,
    }
    return http.post(reverse("admin:billing_invoice_add"), data)


@pytest.mark.django_db
def test_staff_issue_an_invoice_from_a_total_and_the_client_is_told(admin_http, owner, accountant):
    order = OrderFactory(client=own_client(owner))

    response = issue(admin_http, order)

    assert response.status_code == 302, response.content.decode()[:3000]
    invoice = Invoice.objects.get()
    assert (invoice.amount_net, invoice.vat_amount, invoice.total, invoice.issued_by) == (
        Decimal("11.12"),
        Decimal("2.33"),
        Decimal("13.45"),
        accountant,
    )
    assert invoice.payment_reference == "R2026-555001"
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.link) == (
        owner,
        Notification.Kind.INVOICE,
        reverse("billing:invoice_detail", args=["R2026-555001"]),
    )


@pytest.mark.django_db
def test_staff_may_type_net_and_vat_themselves(admin_http, owner):
    order = OrderFactory(client=own_client(owner))

    issue(admin_http, order, total="100.00", amount_net="90.00", vat_amount="10.00")

    assert Invoice.objects.values_list("amount_net", "vat_amount").get() == (
        Decimal("90.00"),
        Decimal("10.00"),
    )


@pytest.mark.django_db
def test_amounts_that_do_not_add_up_are_refused(admin_http, owner):
    order = OrderFactory(client=own_client(owner))

    response = issue(admin_http, order, total="100.00", amount_net="90.00", vat_amount="9.00")

    assert response.status_code == 200
    assert "Kopsummai jābūt summai bez PVN plus PVN." in response.content.decode()
    assert Invoice.objects.count() == 0
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_a_due_date_before_the_invoice_date_is_refused(admin_http, owner):
    order = OrderFactory(client=own_client(owner))

    response = issue(admin_http, order, due_on="01.06.2026")

    assert response.status_code == 200
    assert Invoice.objects.count() == 0


@pytest.mark.django_db
def test_staff_record_a_treasury_payment_and_the_order_gets_its_planned_date(
    admin_http, accountant
):
    invoice = InvoiceFactory()
    part = OrderPartFactory(order=invoice.order)
    data = {
        "invoice": invoice.pk,
        "amount": "13.45",
        "paid_on": "31.12.2025",
        "reference": "TR0001",
    }

    response = admin_http.post(reverse("admin:billing_payment_add"), data)
    again = admin_http.post(reverse("admin:billing_payment_add"), data)

    assert response.status_code == 302
    assert again.status_code == 200  # the same reference for the same invoice: refused
    payment = Payment.objects.get()
    assert (payment.source, payment.external_id, payment.recorded_by) == (
        "treasury",
        f"treasury:TR0001:{invoice.number}",
        accountant,
    )
    part.refresh_from_db()
    # paid 31.12.2025: 1–4 January off, so 11 working days from Mon 5.01 end on Sat 17.01 (worked)
    assert part.planned_completion_date == date(2026, 1, 17)


@pytest.mark.django_db
def test_staff_import_a_statement_through_the_admin(admin_http, django_capture_on_commit_callbacks):
    InvoiceFactory(number="R2026-900001")
    upload = SimpleUploadedFile(
        "izraksts.xml", (FIXTURES / "camt053_statement.xml").read_bytes(), "application/xml"
    )

    with django_capture_on_commit_callbacks(execute=True):  # the import task, once committed
        response = admin_http.post(reverse("admin:billing_bankstatement_add"), {"xml_file": upload})

    statement = BankStatement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:billing_bankstatement_change", args=[statement.pk])
    assert (statement.file_name, statement.matched, statement.unmatched) == ("izraksts.xml", 1, 3)
    assert (statement.state, statement.processed) == ("done", 4)
    assert Payment.objects.get().reference == "2026061900001"


@pytest.mark.django_db
def test_an_uploaded_statement_is_imported_after_the_request_and_its_page_shows_progress(
    admin_http, django_capture_on_commit_callbacks
):
    from billing.camt import run_import
    from tests.billing.helpers import camt053

    InvoiceFactory(number="R2026-900001")
    content = camt053(
        "STMT-P",
        [
            ("1", "13.45", "2026-06-19", "R2026-900001"),
            ("2", "1000000000000000", "2026-06-19", "R2026-900001"),
        ],
    )
    upload = SimpleUploadedFile("liels.xml", content, "application/xml")

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = admin_http.post(reverse("admin:billing_bankstatement_add"), {"xml_file": upload})
    statement = BankStatement.objects.get()
    waiting = admin_http.get(response.url).content.decode()
    run_import(statement.pk)  # what the queued task does
    done = admin_http.get(response.url).content.decode()

    assert len(queued) == 1
    assert Payment.objects.count() == 1
    assert "Gaida importu" in waiting
    assert "Izraksts saglabāts: fonā tiek importēts 1 ienākošs ieraksts." in waiting
    assert "apstrādāti ieraksti: 0 no 1" in waiting
    assert "pārlādējiet šo lapu" in waiting
    assert "Importēts" in done
    assert "apstrādāti ieraksti: 1 no 1" in done
    assert "Ieraksts 2 nav importēts: summa 1000000000000000 nav iespējama" in done


@pytest.mark.django_db
def test_a_file_that_is_not_a_statement_is_refused_with_a_message(admin_http):
    upload = SimpleUploadedFile("x.xml", b"<html>nope</html>", "application/xml")

    response = admin_http.post(reverse("admin:billing_bankstatement_add"), {"xml_file": upload})

    assert response.status_code == 200
    assert "nav ISO 20022 bankas izraksts" in response.content.decode()
    assert BankStatement.objects.count() == 0


@pytest.mark.django_db
def test_clerk_picks_the_invoice_for_an_unmatched_entry(admin_http, accountant):
    from billing.camt import import_statement

    invoice = InvoiceFactory(
        total=Decimal("20.00"), amount_net=Decimal("16.53"), vat_amount=Decimal("3.47")
    )
    import_statement((FIXTURES / "camt053_statement.xml").read_bytes(), "izraksts.xml")
    entry = UnmatchedBankEntry.objects.get(entry_reference="2026061900002")
    url = reverse("admin:billing_unmatchedbankentry_change", args=[entry.pk])

    assert admin_http.get(url).status_code == 200
    response = admin_http.post(url, {"invoice": invoice.pk})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.payment.invoice, entry.payment.amount, entry.resolved_by) == (
        invoice,
        Decimal("20.00"),
        accountant,
    )
    other = InvoiceFactory()
    admin_http.post(url, {"invoice": other.pk})  # already resolved: the invoice is read-only now
    entry.refresh_from_db()
    assert entry.invoice == invoice
    assert Payment.objects.filter(invoice=invoice).count() == 1


@pytest.mark.django_db
def test_the_callback_log_and_attempts_are_read_only(admin_http):
    assert admin_http.get(reverse("admin:billing_callbackdelivery_changelist")).status_code == 200
    assert admin_http.get(reverse("admin:billing_paymentattempt_changelist")).status_code == 200
    assert admin_http.get(reverse("admin:billing_unmatchedbankentry_changelist")).status_code == 200


@pytest.mark.django_db
def test_the_next_invoice_number_after_999999_is_a_new_one():
    """Numbers are text: 'R2026-1000000' sorts before 'R2026-999999', and the add form offered
    R2026-1000000 again once it existed, a duplicate the clerk could only see on saving."""
    year = timezone.localdate().year
    InvoiceFactory(number=f"R{year}-999999")
    assert next_invoice_number() == f"R{year}-1000000"
    InvoiceFactory(number=f"R{year}-1000000")

    assert next_invoice_number() == f"R{year}-1000001"
