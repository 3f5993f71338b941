"""Bank statement import (camt.053 / camt.054) from fixture files shaped like the banks' own."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from billing.camt import StatementError, import_statement, parse, resolve_unmatched
from billing.models import BankStatement, Overpayment, Payment, UnmatchedBankEntry
from billing.services import order_payment_state
from tests.billing.helpers import camt053
from tests.factories import InvoiceFactory, OrderPartFactory, StaffFactory

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def invoices(db):
    made = {}
    for suffix in ("900001", "900002", "900003", "900004", "900007"):
        invoice = InvoiceFactory(number=f"R2026-{suffix}")
        OrderPartFactory(order=invoice.order)
        made[suffix] = invoice
    return made


def payments() -> list[tuple[str, Decimal, str, date]]:
    return list(
        Payment.objects.order_by("reference", "invoice__number").values_list(
            "invoice__number", "amount", "reference", "paid_on"
        )
    )


def test_parse_reads_booked_credit_entries_only():
    parsed = parse(fixture("camt053_statement.xml"))

    assert (parsed.message_id, parsed.statement_id, parsed.account_iban) == (
        "TREL20260619-0001",
        "STMT-2026-06-19",
        "LV47TREL9160000000001",
    )
    assert [(e.reference, e.amount, e.currency, e.booked_on) for e in parsed.entries] == [
        ("2026061900001", Decimal("13.45"), "EUR", date(2026, 6, 19)),
        ("2026061900002", Decimal("20.00"), "EUR", date(2026, 6, 19)),
        ("2026061900003", Decimal("5.00"), "EUR", date(2026, 6, 19)),
        ("2026061900004", Decimal("13.45"), "EUR", date(2026, 6, 19)),
    ]
    assert parsed.entries[0].remittance == "Rekins R2026-900001 kadastra informacija"
    assert parsed.entries[0].debtor_name == "ANNA BERZINA"
    assert parsed.entries[3].structured_refs == ["R2026-900003"]


@pytest.mark.django_db
def test_import_pays_matched_entries_and_keeps_unmatched_for_a_clerk(invoices):
    result = import_statement(fixture("camt053_statement.xml"), "izraksts.xml")

    assert (result.matched, result.already_imported, result.unmatched) == (3, 0, 1)
    assert payments() == [
        ("R2026-900001", Decimal("13.45"), "2026061900001", date(2026, 6, 19)),
        ("R2026-900002", Decimal("5.00"), "2026061900003", date(2026, 6, 19)),
        ("R2026-900003", Decimal("13.45"), "2026061900004", date(2026, 6, 19)),
    ]
    assert list(
        UnmatchedBankEntry.objects.values_list("entry_reference", "amount", "debtor_name")
    ) == [("2026061900002", Decimal("20.00"), "SIA ZEMES MERNIEKI")]
    statement = BankStatement.objects.get()
    assert (statement.credit_entries, statement.matched, statement.unmatched) == (4, 3, 1)


@pytest.mark.django_db
def test_partly_paying_entry_leaves_the_order_partly_paid_until_the_rest_arrives(invoices):
    import_statement(fixture("camt053_statement.xml"), "izraksts.xml")
    order = invoices["900002"].order
    assert order_payment_state(order).state == "partly_paid"

    import_statement(fixture("camt053_repeat.xml"), "izraksts-2.xml")

    assert order_payment_state(order).paid_in_full is True
    part = order.parts.get()
    # paid in full on 22.06.2026 (a day off): work starts Thu 25.06; 11 working days end 8.07
    assert part.planned_completion_date == date(2026, 7, 8)


@pytest.mark.django_db
def test_importing_the_same_statement_again_records_nothing_twice(invoices):
    import_statement(fixture("camt053_statement.xml"), "izraksts.xml")
    before = (payments(), UnmatchedBankEntry.objects.count())

    again = import_statement(fixture("camt053_statement.xml"), "izraksts.xml")

    assert (again.matched, again.already_imported, again.unmatched) == (0, 4, 0)
    assert (payments(), UnmatchedBankEntry.objects.count()) == before


@pytest.mark.django_db
def test_an_entry_reference_the_next_statement_reuses_is_new_money(invoices):
    """The bank restarts entry references per statement: the next day's 2026061900001 is another
    transfer. R2026-900001 is paid already, so that money is an overpayment to refund."""
    import_statement(fixture("camt053_statement.xml"), "izraksts.xml")

    result = import_statement(fixture("camt053_repeat.xml"), "izraksts-2.xml")

    assert (result.matched, result.already_imported, result.unmatched) == (2, 0, 0)
    assert Payment.objects.filter(invoice=invoices["900001"]).count() == 1
    assert list(Overpayment.objects.values_list("invoice__number", "amount", "reference")) == [
        ("R2026-900001", Decimal("13.45"), "2026061900001")
    ]
    assert result.statement.overpaid == 1


@pytest.mark.django_db
def test_a_later_statement_reusing_entry_reference_1_is_imported_not_skipped(invoices):
    first = camt053("STMT-1", [("1", "13.45", "2026-06-19", "R2026-900001")])
    later = camt053("STMT-2", [("1", "13.45", "2026-06-22", "R2026-900002")])
    import_statement(first, "1.xml")

    result = import_statement(later, "2.xml")

    assert (result.matched, result.already_imported) == (1, 0)
    assert payments() == [
        ("R2026-900001", Decimal("13.45"), "1", date(2026, 6, 19)),
        ("R2026-900002", Decimal("13.45"), "1", date(2026, 6, 22)),
    ]


@pytest.mark.django_db
def test_reference_1_for_another_account_or_date_or_amount_is_another_entry(invoices):
    base = ("1", "5.00", "2026-06-19", "R2026-900004")
    import_statement(camt053("STMT-1", [base]), "a.xml")

    other_account = import_statement(camt053("STMT-1", [base], iban="LV97HABA0012345678910"), "b")
    other_date = import_statement(camt053("STMT-1", [("1", "5.00", "2026-06-20", base[3])]), "c")
    other_amount = import_statement(camt053("STMT-1", [("1", "5.01", "2026-06-19", base[3])]), "d")
    same_again = import_statement(camt053("STMT-1", [base]), "e.xml")

    assert [r.matched for r in (other_account, other_date, other_amount, same_again)] == [
        1,
        1,
        1,
        0,
    ]
    assert same_again.already_imported == 1
    assert Payment.objects.filter(invoice=invoices["900004"]).count() == 3


@pytest.mark.django_db
def test_an_unmatched_entry_imported_twice_waits_for_a_clerk_once(invoices):
    statement = camt053("STMT-1", [("1", "20.00", "2026-06-19", "bez numura")])
    import_statement(statement, "a.xml")

    again = import_statement(statement, "a.xml")

    assert (again.unmatched, again.already_imported) == (0, 1)
    assert UnmatchedBankEntry.objects.count() == 1


@pytest.mark.django_db
def test_an_amount_of_ten_to_the_fifteen_refuses_that_entry_and_imports_the_rest(invoices):
    content = camt053(
        "STMT-BIG",
        [
            ("1", "1000000000000000", "2026-06-19", "R2026-900001"),
            ("2", "13.45", "2026-06-19", "R2026-900002"),
            ("3", "13.455", "2026-06-19", "R2026-900003"),
        ],
    )

    result = import_statement(content, "liels.xml")

    assert (result.matched, result.refused) == (1, 2)
    assert payments() == [("R2026-900002", Decimal("13.45"), "2", date(2026, 6, 19))]
    assert result.statement.errors == [
        "Ieraksts 1 nav importēts: summa 1000000000000000 nav iespējama (pārāk liela vai ar "
        "vairāk nekā diviem cipariem aiz komata).",
        "Ieraksts 3 nav importēts: summa 13.455 nav iespējama (pārāk liela vai ar vairāk nekā "
        "diviem cipariem aiz komata).",
    ]
    assert result.statement.state == "done"


@pytest.mark.django_db
def test_an_entry_with_a_currency_code_that_is_no_code_is_refused_and_the_rest_imported(invoices):
    # A four-letter Ccy used to fail the whole batch in the database (the column holds three).
    content = camt053(
        "STMT-CCY",
        [
            ("1", "13.45", "2026-06-19", "R2026-900001"),
            ("2", "13.45", "2026-06-19", "R2026-900002"),
        ],
    ).replace(b"<NtryRef>1</NtryRef><Amt Ccy='EUR'>", b"<NtryRef>1</NtryRef><Amt Ccy='EURO'>")

    result = import_statement(content, "valuta.xml")

    assert (result.matched, result.refused) == (1, 1)
    assert payments() == [("R2026-900002", Decimal("13.45"), "2", date(2026, 6, 19))]
    assert result.statement.errors == ["Ieraksts 1 nav importēts: valūtas kods „EURO” nav derīgs."]
    assert result.statement.state == "done"


@pytest.mark.django_db
def test_an_unreadable_entry_is_refused_and_the_others_imported(invoices):
    content = camt053(
        "STMT-X",
        [("1", "abc", "2026-06-19", "R2026-900001"), ("2", "5", "2026-06-19", "R2026-900002")],
    )

    result = import_statement(content, "x.xml")

    assert (result.matched, result.refused) == (1, 1)
    assert result.statement.errors == ["Ieraksts 1 nav importēts: tam nav nolasāmas summas."]


@pytest.mark.django_db
def test_camt054_splits_a_transfer_naming_two_invoices_and_reads_batches(invoices):
    first = InvoiceFactory(number="R2026-900005")
    second = InvoiceFactory(number="R2026-900006")

    result = import_statement(fixture("camt054_notification.xml"), "pazinojums.xml")

    assert (result.matched, result.unmatched) == (2, 1)
    assert list(
        Payment.objects.order_by("reference", "invoice__number").values_list(
            "invoice__number", "amount", "reference"
        )
    ) == [
        (first.number, Decimal("13.45"), "TREL-B-0100"),
        (second.number, Decimal("13.45"), "TREL-B-0100"),
        ("R2026-900007", Decimal("13.45"), "TREL-B-0200/TX-1"),
    ]
    assert list(UnmatchedBankEntry.objects.values_list("entry_reference", flat=True)) == [
        "TREL-B-0200/TX-2"
    ]
    assert Payment.objects.get(invoice=first).paid_on == date(2026, 7, 1)


@pytest.mark.django_db
def test_clerk_resolves_an_unmatched_entry_once(invoices):
    import_statement(fixture("camt053_statement.xml"), "izraksts.xml")
    entry = UnmatchedBankEntry.objects.get()
    clerk = StaffFactory()

    payment = resolve_unmatched(entry, invoices["900004"], by=clerk).payment
    again = resolve_unmatched(entry, invoices["900004"], by=clerk)

    entry.refresh_from_db()
    assert (payment.amount, payment.reference, payment.recorded_by) == (
        Decimal("13.45"),
        "2026061900002",
        clerk,
    )
    assert (again, entry.payment, entry.resolved_by) == (None, payment, clerk)
    assert Payment.objects.filter(invoice=invoices["900004"]).count() == 1
    # 20.00 arrived for a 13.45 invoice: the rest is an overpayment to refund, never "paid"
    assert (entry.overpayment.amount, entry.overpayment.status) == (Decimal("6.55"), "to_refund")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not xml at all",
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
        b"<?xml version='1.0'?><!DOCTYPE d [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'>&x;</Document>",
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
        b"</BkToCstmrStmt></Document>",
    ],
)
def test_files_that_are_not_readable_statements_are_refused(content):
    with pytest.raises(StatementError):
        parse(content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "purpose",
    [
        "Nr.R2026-900001apmaksa",
        "R2026-900001/apmaksa",
        "apmaksa:R2026-900001,kadastrs",
        "rekins_r2026-900001",
        "R2026\u2013900001",  # an en dash, as word processors and bank apps make it
        "Rēķins R2026\u2014900001",  # an em dash
        "R2026\u2011900001",  # a non-breaking hyphen
        "R2026\u2212900001",  # a minus sign
        "R 2026-900001",
        "R2026 - 900001",
    ],
)
def test_an_invoice_number_glued_to_other_text_is_matched(invoices, purpose):
    result = import_statement(
        camt053("STMT-GLUED", [("G1", "13.45", "2026-06-19", purpose)]), "izraksts.xml"
    )

    assert (result.matched, result.unmatched) == (1, 0)
    assert payments() == [("R2026-900001", Decimal("13.45"), "G1", date(2026, 6, 19))]


@pytest.mark.django_db
def test_a_longer_number_that_contains_an_invoice_number_is_not_matched(invoices):
    result = import_statement(
        camt053("STMT-LONGER", [("G2", "13.45", "2026-06-19", "R2026-9000011 apmaksa")]),
        "izraksts.xml",
    )

    assert (result.matched, result.unmatched) == (0, 1)


@pytest.mark.django_db
def test_a_seven_digit_invoice_number_glued_to_text_is_matched():
    """After R2026-999999 the numbers run on with seven digits (billing.forms.next_invoice_number);
    a payment purpose that glues one to other text still names it."""
    invoice = InvoiceFactory(number="R2026-1000000")
    OrderPartFactory(order=invoice.order)

    result = import_statement(
        camt053("STMT-SEVEN", [("S7", "13.45", "2026-06-19", "Nr.R2026-1000000apmaksa")]),
        "izraksts.xml",
    )

    assert (result.matched, result.unmatched) == (1, 0)
    assert payments() == [("R2026-1000000", Decimal("13.45"), "S7", date(2026, 6, 19))]
