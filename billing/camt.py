"""ISO 20022 bank statements (camt.053) and notifications (camt.054): parse, match, import.

Parsed with lxml, namespace-agnostic (`{*}` in paths), so camt.053.001.02 to .13 and camt.054 all
read the same way. Only booked credit entries count. Each transaction is keyed on the bank's entry
reference (NtryRef, else AcctSvcrRef; a batch entry's transactions add their own AcctSvcrRef or
position), so importing the same statement again records nothing twice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from lxml import etree

from billing.models import BankStatement, Invoice, Payment, UnmatchedBankEntry
from billing.services import Receipt, amount_owed, record_payment, with_paid_amount

log = logging.getLogger("manskonts.billing")

MAX_BYTES = 20 * 1024 * 1024
# Tokens that may be an invoice number in a payment purpose: letters, digits, "-" and "/".
TOKEN = re.compile(r"[A-Z0-9][A-Z0-9/-]{2,19}")


class StatementError(Exception):
    """The file is not a camt.053/camt.054 document we can read; the message says why."""


@dataclass
class BankEntry:
    reference: str
    amount: Decimal
    currency: str
    booked_on: date | None
    debtor_name: str
    remittance: str
    structured_refs: list[str]


@dataclass
class ParsedStatement:
    message_id: str
    statement_id: str
    account_iban: str
    entries: list[BankEntry]


def _text(element, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None and found.text else ""


def _amount(element) -> tuple[Decimal, str] | None:
    if element is None or not element.text:
        return None
    try:
        value = Decimal(element.text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    return value, (element.get("Ccy") or "").upper()


def _date(element, path: str) -> date | None:
    raw = _text(element, f"{path}/{{*}}Dt") or _text(element, f"{path}/{{*}}DtTm")[:10]
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def parse(content: bytes) -> ParsedStatement:
    """Read the booked credit entries of a camt.053 or camt.054 document."""
    if len(content) > MAX_BYTES:
        raise StatementError(_("Datne ir pārāk liela."))
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser=parser)
    except etree.XMLSyntaxError:
        raise StatementError(_("Datne nav derīgs XML dokuments.")) from None
    namespace = etree.QName(root).namespace or ""
    if etree.QName(root).localname != "Document" or not re.search(r"camt\.05[34]\.", namespace):
        raise StatementError(
            _("Datne nav ISO 20022 bankas izraksts (camt.053) vai paziņojums (camt.054).")
        )
    reports = root.findall("./{*}BkToCstmrStmt/{*}Stmt") + root.findall(
        "./{*}BkToCstmrDbtCdtNtfctn/{*}Ntfctn"
    )
    if not reports:
        raise StatementError(_("Izrakstā nav neviena pārskata (Stmt/Ntfctn)."))
    message_id = _text(root, "./*/{*}GrpHdr/{*}MsgId")
    entries: list[BankEntry] = []
    for report in reports:
        for entry in report.findall("./{*}Ntry"):
            entries.extend(_credit_transactions(entry))
    first = reports[0]
    return ParsedStatement(
        message_id=message_id,
        statement_id=_text(first, "./{*}Id"),
        account_iban=_text(first, "./{*}Acct/{*}Id/{*}IBAN"),
        entries=entries,
    )


def _credit_transactions(entry) -> list[BankEntry]:
    if _text(entry, "./{*}CdtDbtInd") != "CRDT":
        return []
    status = _text(entry, "./{*}Sts/{*}Cd") or _text(entry, "./{*}Sts")
    if status and status != "BOOK":
        return []
    if _text(entry, "./{*}RvslInd").lower() == "true":
        return []
    entry_ref = _text(entry, "./{*}NtryRef") or _text(entry, "./{*}AcctSvcrRef")
    if not entry_ref:
        raise StatementError(_("Ierakstam nav bankas atsauces (NtryRef vai AcctSvcrRef)."))
    booked_on = _date(entry, "./{*}BookgDt") or _date(entry, "./{*}ValDt")
    entry_amount = _amount(entry.find("./{*}Amt"))
    details = entry.findall("./{*}NtryDtls/{*}TxDtls")
    if not details:
        details = [None]
    result = []
    for position, tx in enumerate(details, start=1):
        amount = None
        reference = entry_ref
        if tx is not None:
            amount = _amount(tx.find("./{*}Amt")) or _amount(
                tx.find("./{*}AmtDtls/{*}TxAmt/{*}Amt")
            )
            if len(details) > 1:
                reference = f"{entry_ref}/{_text(tx, './{*}Refs/{*}AcctSvcrRef') or position}"
        if amount is None and len(details) == 1:
            amount = entry_amount
        if amount is None or amount[0] <= 0:
            raise StatementError(_("Ierakstam %(ref)s nav nolasāmas summas.") % {"ref": reference})
        remittance, structured, debtor = "", [], ""
        if tx is not None:
            remittance = " ".join(
                (u.text or "").strip() for u in tx.findall("./{*}RmtInf/{*}Ustrd")
            ).strip()
            structured = [
                (r.text or "").strip()
                for r in tx.findall("./{*}RmtInf/{*}Strd/{*}CdtrRefInf/{*}Ref")
            ]
            debtor = _text(tx, "./{*}RltdPties/{*}Dbtr/{*}Nm") or _text(
                tx, "./{*}RltdPties/{*}Dbtr/{*}Pty/{*}Nm"
            )
        result.append(
            BankEntry(
                reference=reference[:140],
                amount=amount[0],
                currency=amount[1],
                booked_on=booked_on,
                debtor_name=debtor[:140],
                remittance=remittance[:500],
                structured_refs=[r for r in structured if r],
            )
        )
    return result


def invoices_named(entry: BankEntry) -> list[Invoice]:
    """The invoices whose numbers appear in the payment purpose or the structured reference."""
    text = " ".join([entry.remittance, *entry.structured_refs]).upper()
    tokens = set(TOKEN.findall(text))
    if not tokens:
        return []
    return list(with_paid_amount(Invoice.objects.filter(number__in=tokens)).order_by("id"))


@dataclass
class ImportResult:
    statement: BankStatement
    matched: int
    already_imported: int
    unmatched: int


def import_statement(content: bytes, file_name: str, *, by=None) -> ImportResult:
    """Import a statement: matched entries become payments, others wait for a clerk."""
    parsed = parse(content)
    with transaction.atomic():
        statement = BankStatement.objects.create(
            file_name=file_name[:255],
            message_id=parsed.message_id[:140],
            statement_id=parsed.statement_id[:140],
            account_iban=parsed.account_iban[:34],
            content=content.decode("utf-8", "replace"),
            imported_by=by,
        )
        matched = already = unmatched = 0
        for entry in parsed.entries:
            outcome = _import_entry(statement, entry, by)
            matched += outcome == "matched"
            already += outcome == "already"
            unmatched += outcome == "unmatched"
        statement.credit_entries = len(parsed.entries)
        statement.matched, statement.already_imported, statement.unmatched = (
            matched,
            already,
            unmatched,
        )
        statement.save(update_fields=["credit_entries", "matched", "already_imported", "unmatched"])
    log.info(
        "bank statement imported id=%s matched=%s already=%s unmatched=%s",
        statement.pk,
        matched,
        already,
        unmatched,
    )
    return ImportResult(statement, matched, already, unmatched)


def _external_id(entry_reference: str, invoice: Invoice, split: bool) -> str:
    key = f"camt:{entry_reference}"
    return f"{key}:{invoice.number}"[:140] if split else key[:140]


def _import_entry(statement: BankStatement, entry: BankEntry, by) -> str:
    key = f"camt:{entry.reference}"
    if (
        Payment.objects.filter(Q(external_id=key) | Q(external_id__startswith=f"{key}:")).exists()
        or UnmatchedBankEntry.objects.filter(entry_reference=entry.reference).exists()
    ):
        return "already"
    invoices = invoices_named(entry)
    reason = ""
    plan: list[tuple[Invoice, Decimal]] = []
    if not invoices:
        reason = _("Maksājuma mērķī nav atrasts rēķina numurs.")
    elif any(i.currency != entry.currency for i in invoices):
        reason = _("Valūta atšķiras no rēķina valūtas.")
    elif len(invoices) == 1:
        plan = [(invoices[0], entry.amount)]
    elif entry.amount == sum((amount_owed(i) for i in invoices), Decimal("0.00")):
        plan = [(i, amount_owed(i)) for i in invoices if amount_owed(i) > 0]
    else:
        reason = _("Mērķī minēti vairāki rēķini, un summa neatbilst to kopsummai.")
    if plan:
        split = len(plan) > 1
        for invoice, amount in plan:
            record_payment(
                invoice,
                amount,
                source=Payment.Source.BANK_STATEMENT,
                external_id=_external_id(entry.reference, invoice, split),
                paid_on=entry.booked_on,
                reference=entry.reference,
                recorded_by=by,
            )
        return "matched"
    UnmatchedBankEntry.objects.create(
        statement=statement,
        entry_reference=entry.reference,
        amount=entry.amount,
        currency=entry.currency,
        booked_on=entry.booked_on,
        debtor_name=entry.debtor_name,
        remittance_info=entry.remittance,
        reason=reason,
    )
    return "unmatched"


def resolve_unmatched(entry: UnmatchedBankEntry, invoice: Invoice, *, by) -> Receipt | None:
    """A clerk says which invoice an unmatched entry pays: the money is recorded once (beyond what
    the invoice owes, as an overpayment). None when the entry was already resolved."""
    from django.utils import timezone

    with transaction.atomic():
        locked = UnmatchedBankEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.resolved_at is not None:
            return None
        receipt = record_payment(
            invoice,
            locked.amount,
            source=Payment.Source.BANK_STATEMENT,
            external_id=f"camt:{locked.entry_reference}"[:140],
            paid_on=locked.booked_on,
            reference=locked.entry_reference,
            recorded_by=by,
        )
        locked.invoice = invoice
        locked.payment = receipt.payment if receipt else None
        locked.overpayment = receipt.overpayment if receipt else None
        locked.resolved_by = by
        locked.resolved_at = timezone.now()
        locked.save(
            update_fields=["invoice", "payment", "overpayment", "resolved_by", "resolved_at"]
        )
    return receipt
