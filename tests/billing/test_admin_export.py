"""Staff export the invoice, payment and unmatched-entry lists to Excel: the rows the list shows
(its filters), text never written as a formula, only with the export permission."""

import zipfile
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from openpyxl import load_workbook

from accounts.roles import ACCOUNT_REVIEWER, ACCOUNTANT, CLERK
from billing.models import BankStatement, Invoice, UnmatchedBankEntry
from tests.factories import InvoiceFactory, StaffFactory


def staff_with(role):
    user = StaffFactory()
    user.groups.set([Group.objects.get(name=role)])
    return user


def sheet_rows(response) -> list[tuple]:
    sheet = load_workbook(BytesIO(response.content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def has_formula(response) -> bool:
    with zipfile.ZipFile(BytesIO(response.content)) as xlsx:
        return any(
            b"<f>" in xlsx.read(name) or b"<f " in xlsx.read(name) for name in xlsx.namelist()
        )


@pytest.mark.django_db
def test_invoice_export_has_the_rows_of_the_filtered_list(client):
    InvoiceFactory(number="R2026-000201", kind=Invoice.Kind.PREPAYMENT, issued_on=date(2026, 11, 2))
    InvoiceFactory(number="R2026-000202", kind=Invoice.Kind.FINAL, issued_on=date(2026, 11, 3))
    InvoiceFactory(number="R2026-000203", kind=Invoice.Kind.FINAL, issued_on=date(2026, 10, 3))
    client.force_login(staff_with(ACCOUNTANT))
    query = "kind__exact=final&issued_on__range__gte=01.11.2026"

    listing = client.get(f"{reverse('admin:billing_invoice_changelist')}?{query}")
    response = client.get(listing.context["excel_url"])

    assert listing.context["excel_url"] == f"{reverse('admin:billing_invoice_excel')}?{query}"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    assert rows[0][:3] == ("Numurs", "Veids", "Pasūtījums")
    assert [row[0] for row in rows[1:]] == ["R2026-000202"]
    assert rows[1][1] == str(Invoice.Kind.FINAL.label)
    assert rows[1][8] == 13.45


@pytest.mark.django_db
def test_unmatched_entries_export_writes_a_formula_like_text_as_text(client):
    statement = BankStatement.objects.create(file_name="izraksts.xml", content="<Document/>")
    hostile = '=HYPERLINK("https://example.invalid","Rēķins")'
    UnmatchedBankEntry.objects.create(
        statement=statement,
        entry_reference="E-1",
        amount=Decimal("13.45"),
        currency="EUR",
        debtor_name=hostile,
        remittance_info="@SUM(1+1)",
    )
    client.force_login(staff_with(ACCOUNTANT))

    response = client.get(reverse("admin:billing_unmatchedbankentry_excel"), {"resolved": "no"})

    rows = sheet_rows(response)
    assert rows[1][4] == hostile
    assert rows[1][5] == "@SUM(1+1)"
    assert not has_formula(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (CLERK, {"invoice", "payment"}),
        (ACCOUNTANT, {"invoice", "payment", "unmatchedbankentry"}),
        (ACCOUNT_REVIEWER, set()),
    ],
)
def test_export_needs_the_roles_export_permission(client, role, allowed):
    client.force_login(staff_with(role))

    answers = {
        model: client.get(reverse(f"admin:billing_{model}_excel")).status_code
        for model in ("invoice", "payment", "unmatchedbankentry")
    }

    assert answers == {model: 200 if model in allowed else 403 for model in answers}


@pytest.mark.django_db
def test_viewing_a_list_without_the_export_permission_offers_no_export(client):
    user = StaffFactory()
    user.user_permissions.set([Permission.objects.get(codename="view_invoice")])
    client.force_login(user)

    listing = client.get(reverse("admin:billing_invoice_changelist"))

    assert listing.status_code == 200
    assert "excel_url" not in listing.context
    assert "Eksportēt uz Excel" not in listing.content.decode()
    assert client.get(reverse("admin:billing_invoice_excel")).status_code == 403
