"""ISO 20022 bank statements (camt.053) and notifications (camt.054): parse, match, import.

Parsed with lxml, namespace-agnostic (`{*}` in paths), so camt.053.001.02 to .13 and camt.054 all
read the same way. Only booked credit entries count. An entry is identified by the account's IBAN,
the statement's or notification's id, the bank's entry reference (NtryRef, else AcctSvcrRef; a
batch entry's transactions add their own AcctSvcrRef or position), the booking date, the amount
and the direction — never by the reference alone, which banks restart in every statement. So the
same file imported again records nothing twice, and a later statement reusing a reference is new
money. An entry that cannot be read (no reference, an amount that is no amount or too large) is
refused with a message; the others are imported all the same.

An uploaded file is saved first (`save_statement`) and imported by a Celery task
(`billing.tasks.import_bank_statement` → `run_import`) one entry per transaction, so a large
statement never holds a web worker, its progress shows in the admin, and a task that runs again
resumes where the last one stopped.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from billing.models import BankStatement, Invoice, Overpayment, Payment, UnmatchedBankEntry
from billing.services import (
    Receipt,
    amount_owed,
    lock_keys,
    record_payment,
    with_paid_amount,
)

log = logging.getLogger("manskonts.billing")

MAX_BYTES = 20 * 1024 * 1024
# Tokens that may be an invoice number in a payment purpose: letters, digits, "-" and "/".
TOKEN = re.compile(r"[A-Z0-9][A-Z0-9/-]{2,19}")
# The portal's own numbers (billing.forms.next_invoice_number) wherever they stand, also glued to
# other text: "NR.R2026-000001APMAKSA", "R2026-000001/APMAKSA".
# People also type a space after the R or around the dash, and word processors and bank apps turn
# the hyphen into a dash ("R2026–000001", "R 2026 - 000001"): read as the number they mean.
OWN_NUMBER = re.compile(r"(?<![0-9])R ?([0-9]{4}) ?- ?([0-9]{6,7})(?![0-9])")
DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d", "-"))
# What a money column (max_digits=12, decimal_places=2) holds.
MAX_AMOUNT = Decimal("9999999999.99")


class StatementError(Exception):
    """The file is not a camt.053/camt.054 document we can read; the message says why."""


class EntryRefused(Exception):
    """One entry cannot be imported; the message (Latvian) says which and why."""


@dataclass
class BankEntry:
    reference: str
    amount: Decimal
    currency: str
    booked_on: date | None
    debtor_name: str
    remittance: str
    structured_refs: list[str]
    account_iban: str = ""
    report_id: str = ""
    direction: str = "CRDT"

    @property
    def key(self) -> str:
        """The entry's identity: account, statement, reference, date, amount and direction."""
        parts = [
            self.account_iban,
            self.report_id,
            self.reference,
            self.booked_on.isoformat() if self.booked_on else "",
            f"{self.amount:.2f}",
            self.currency,
            self.direction,
        ]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass
class ParsedStatement:
    message_id: str
    statement_id: str
    account_iban: str
    entries: list[BankEntry]
    refused: list[str] = field(default_factory=list)
    # The document as Unicode text without its XML declaration: stored, and parsed again by the
    # import task (`parse(text.encode())`), whatever encoding the bank's file was in.
    text: str = ""


# An ISO 4217 code: the column holds three letters, anything else would fail the whole batch.
CURRENCY = re.compile(r"[A-Z]{3}")


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
    refused: list[str] = []
    for report in reports:
        account = _text(report, "./{*}Acct/{*}Id/{*}IBAN") or _text(
            report, "./{*}Acct/{*}Id/{*}Othr/{*}Id"
        )
        report_id = _text(report, "./{*}Id") or message_id
        for position, entry in enumerate(report.findall("./{*}Ntry"), start=1):
            try:
                found = _credit_transactions(entry, position)
            except EntryRefused as refusal:
                refused.append(str(refusal))
                continue
            for transaction_ in found:
                transaction_.account_iban = account[:34]
                transaction_.report_id = report_id[:140]
            entries.extend(found)
    first = reports[0]
    return ParsedStatement(
        message_id=message_id,
        statement_id=_text(first, "./{*}Id"),
        account_iban=_text(first, "./{*}Acct/{*}Id/{*}IBAN"),
        entries=entries,
        refused=refused,
        text=etree.tostring(root, encoding="unicode"),
    )


def _credit_transactions(entry, position: int) -> list[BankEntry]:
    if _text(entry, "./{*}CdtDbtInd") != "CRDT":
        return []
    status = _text(entry, "./{*}Sts/{*}Cd") or _text(entry, "./{*}Sts")
    if status and status != "BOOK":
        return []
    if _text(entry, "./{*}RvslInd").lower() == "true":
        return []
    entry_ref = (_text(entry, "./{*}NtryRef") or _text(entry, "./{*}AcctSvcrRef"))[:100]
    if not entry_ref:
        raise EntryRefused(
            _(
                "Ieraksts Nr. %(n)s nav importēts: tam nav bankas atsauces (NtryRef vai "
                "AcctSvcrRef)."
            )
            % {"n": position}
        )
    booked_on = _date(entry, "./{*}BookgDt") or _date(entry, "./{*}ValDt")
    entry_amount = _amount(entry.find("./{*}Amt"))
    details = entry.findall("./{*}NtryDtls/{*}TxDtls")
    if not details:
        details = [None]
    result = []
    for tx_position, tx in enumerate(details, start=1):
        amount = None
        reference = entry_ref
        if tx is not None:
            amount = _amount(tx.find("./{*}Amt")) or _amount(
                tx.find("./{*}AmtDtls/{*}TxAmt/{*}Amt")
            )
            if len(details) > 1:
                own = _text(tx, "./{*}Refs/{*}AcctSvcrRef")[:35] or tx_position
                reference = f"{entry_ref}/{own}"
        if amount is None and len(details) == 1:
            amount = entry_amount
        if amount is None or amount[0] <= 0:
            raise EntryRefused(
                _("Ieraksts %(ref)s nav importēts: tam nav nolasāmas summas.") % {"ref": reference}
            )
        if not CURRENCY.fullmatch(amount[1]):
            raise EntryRefused(
                _("Ieraksts %(ref)s nav importēts: valūtas kods „%(currency)s” nav derīgs.")
                % {"ref": reference, "currency": amount[1][:10]}
            )
        if amount[0] > MAX_AMOUNT or amount[0] != amount[0].quantize(Decimal("0.01")):
            raise EntryRefused(
                _(
                    "Ieraksts %(ref)s nav importēts: summa %(amount)s nav iespējama (pārāk liela "
                    "vai ar vairāk nekā diviem cipariem aiz komata)."
                )
                % {"ref": reference, "amount": str(amount[0])[:40]}
            )
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
                amount=amount[0].quantize(Decimal("0.01")),
                currency=amount[1],
                booked_on=booked_on,
                debtor_name=debtor[:140],
                remittance=remittance[:500],
                structured_refs=[r for r in structured if r],
            )
        )
    return result


def _tokens(entry: BankEntry) -> set[str]:
    text = " ".join([entry.remittance, *entry.structured_refs]).upper().translate(DASHES)
    own = {f"R{year}-{serial}" for year, serial in OWN_NUMBER.findall(text)}
    return set(TOKEN.findall(text)) | own


def invoices_named(entry: BankEntry) -> list[Invoice]:
    """The invoices whose numbers appear in the payment purpose or the structured reference."""
    tokens = _tokens(entry)
    if not tokens:
        return []
    return list(with_paid_amount(Invoice.objects.filter(number__in=tokens)).order_by("id"))


@dataclass
class ImportResult:
    statement: BankStatement
    matched: int
    already_imported: int
    unmatched: int
    refused: int = 0


def save_statement(parsed: ParsedStatement, file_name: str, *, by=None) -> BankStatement:
    """Keep an uploaded statement, queued for import; what could not be read is said at once.

    The caller queues `billing.tasks.import_bank_statement` for it once committed.
    """
    return BankStatement.objects.create(
        file_name=file_name[:255],
        message_id=parsed.message_id[:140],
        statement_id=parsed.statement_id[:140],
        account_iban=parsed.account_iban[:34],
        content=parsed.text,
        imported_by=by,
        credit_entries=len(parsed.entries),
        refused=len(parsed.refused),
        errors=parsed.refused,
    )


def import_statement(content: bytes, file_name: str, *, by=None) -> ImportResult:
    """Save and import a statement here and now (tests, the shell): matched entries become
    payments, others wait for a clerk."""
    statement = save_statement(parse(content), file_name, by=by)
    run_import(statement.pk)
    statement.refresh_from_db()
    return ImportResult(
        statement,
        statement.matched,
        statement.already_imported,
        statement.unmatched,
        statement.refused,
    )


BATCH = 200


def run_import(statement_id: int) -> None:
    """Import a saved statement's entries, a batch per transaction, from where it stopped.

    The statement row is locked for each batch, so a second run of the task (a re-delivery)
    waits and then carries on after the entries the first one did, never doing one twice. Each
    batch locks all the invoices its entries name at once, in id order, before recording any
    money (the lock order of `billing.services`), so it never deadlocks with callbacks.
    """
    with transaction.atomic():
        statement = (
            BankStatement.objects.select_for_update()
            .defer("content")
            .filter(pk=statement_id)
            .first()
        )
        if statement is None or statement.state in (
            BankStatement.State.DONE,
            BankStatement.State.FAILED,
        ):
            return
        statement.state = BankStatement.State.RUNNING
        statement.started_at = statement.started_at or timezone.now()
        statement.save(update_fields=["state", "started_at"])
    content = BankStatement.objects.values_list("content", flat=True).get(pk=statement_id)
    try:
        entries = parse(content.encode("utf-8")).entries
    except StatementError as error:
        _finish(statement_id, BankStatement.State.FAILED, str(error))
        return
    while True:
        with transaction.atomic():
            statement = (
                BankStatement.objects.select_for_update().defer("content").get(pk=statement_id)
            )
            if statement.state != BankStatement.State.RUNNING:
                return
            if statement.processed >= len(entries):
                break
            batch = entries[statement.processed : statement.processed + BATCH]
            counts = _import_batch(statement, batch)
            for name, count in counts.items():
                setattr(statement, name, getattr(statement, name) + count)
            statement.processed += len(batch)
            statement.save(
                update_fields=["processed", "matched", "already_imported", "unmatched", "overpaid"]
            )
    _finish(statement_id, BankStatement.State.DONE)
    log.info(
        "bank statement imported id=%s matched=%s already=%s unmatched=%s refused=%s",
        statement.pk,
        statement.matched,
        statement.already_imported,
        statement.unmatched,
        statement.refused,
    )


def _import_batch(statement: BankStatement, batch: list[BankEntry]) -> dict[str, int]:
    tokens = set().union(*(_tokens(entry) for entry in batch))
    named = {
        invoice.number: invoice
        for invoice in Invoice.objects.select_for_update(of=("self",))
        .filter(number__in=tokens)
        .order_by("pk")
    }
    # The same entry imported from another upload at this moment waits here, then is a repeat.
    lock_keys(f"camt-entry:{entry.key}" for entry in batch)
    candidates = {f"camt:{entry.key}" for entry in batch} | {
        f"camt:{entry.key}:{number}"
        for entry in batch
        for number in _tokens(entry)
        if number in named
    }
    known = (
        set(
            Payment.objects.filter(external_id__in=candidates).values_list("external_id", flat=True)
        )
        | set(
            Overpayment.objects.filter(external_id__in=candidates).values_list(
                "external_id", flat=True
            )
        )
        | {
            f"camt:{key}"
            for key in UnmatchedBankEntry.objects.filter(
                entry_key__in=[entry.key for entry in batch]
            ).values_list("entry_key", flat=True)
        }
    )
    counts = {"matched": 0, "overpaid": 0, "already_imported": 0, "unmatched": 0}
    unmatched: list[UnmatchedBankEntry] = []
    for entry in batch:
        invoices = sorted(
            (named[number] for number in _tokens(entry) if number in named), key=lambda i: i.pk
        )
        ids = {f"camt:{entry.key}"} | {f"camt:{entry.key}:{i.number}" for i in invoices}
        if ids & known:
            counts["already_imported"] += 1
            continue
        known |= ids  # the same entry twice in one file is one entry
        outcome = _import_entry(statement, entry, invoices)
        if isinstance(outcome, UnmatchedBankEntry):
            unmatched.append(outcome)
            outcome = "unmatched"
        counts[outcome] += 1
        counts["matched"] += outcome == "overpaid"
    UnmatchedBankEntry.objects.bulk_create(unmatched)
    return counts


def fail_import(statement_id: int, message: str) -> None:
    """The task broke off: what was imported stays, the rest is said on the statement's page."""
    _finish(statement_id, BankStatement.State.FAILED, message)


def _finish(statement_id: int, state: str, error: str = "") -> None:
    with transaction.atomic():
        statement = BankStatement.objects.select_for_update().defer("content").get(pk=statement_id)
        statement.state = state
        statement.finished_at = timezone.now()
        if error:
            statement.errors = [*statement.errors, error]
        statement.save(update_fields=["state", "finished_at", "errors"])


def _external_id(entry: BankEntry, invoice: Invoice, split: bool) -> str:
    key = f"camt:{entry.key}"
    return f"{key}:{invoice.number}"[:140] if split else key


def _import_entry(
    statement: BankStatement, entry: BankEntry, invoices: list[Invoice]
) -> str | UnmatchedBankEntry:
    """One entry not imported before: "matched", "overpaid" (matched, partly beyond what was
    owed), "already_imported" (recorded by another upload just now) or the unmatched entry to
    keep for a clerk."""
    reason = ""
    plan: list[tuple[Invoice, Decimal]] = []
    if not invoices:
        reason = _("Maksājuma mērķī nav atrasts rēķina numurs.")
    elif any(i.currency != entry.currency for i in invoices):
        reason = _("Valūta atšķiras no rēķina valūtas.")
    elif len(invoices) == 1:
        plan = [(invoices[0], entry.amount)]
    else:
        # What each owes now, after the entries before this one (the invoices are locked).
        owed = list(with_paid_amount(Invoice.objects.filter(pk__in=[i.pk for i in invoices])))
        owed.sort(key=lambda i: i.pk)
        if entry.amount == sum((amount_owed(i) for i in owed), Decimal("0.00")):
            plan = [(i, amount_owed(i)) for i in owed if amount_owed(i) > 0]
        else:
            reason = _("Mērķī minēti vairāki rēķini, un summa neatbilst to kopsummai.")
    if plan:
        split = len(plan) > 1
        receipts = [
            record_payment(
                invoice,
                amount,
                source=Payment.Source.BANK_STATEMENT,
                external_id=_external_id(entry, invoice, split),
                paid_on=entry.booked_on,
                reference=entry.reference,
                recorded_by=statement.imported_by,
            )
            for invoice, amount in plan
        ]
        if all(receipt is None for receipt in receipts):
            return "already_imported"
        if any(receipt and receipt.overpayment for receipt in receipts):
            return "overpaid"
        return "matched"
    return UnmatchedBankEntry(
        statement=statement,
        entry_reference=entry.reference,
        entry_key=entry.key,
        amount=entry.amount,
        currency=entry.currency,
        booked_on=entry.booked_on,
        debtor_name=entry.debtor_name,
        remittance_info=entry.remittance,
        reason=reason,
    )


def resolve_unmatched(entry: UnmatchedBankEntry, invoice: Invoice, *, by) -> Receipt | None:
    """A clerk says which invoice an unmatched entry pays: the money is recorded once (beyond what
    the invoice owes, as an overpayment). None when the entry was already resolved."""
    with transaction.atomic():
        locked = UnmatchedBankEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.resolved_at is not None:
            return None
        receipt = record_payment(
            invoice,
            locked.amount,
            source=Payment.Source.BANK_STATEMENT,
            external_id=f"camt:{locked.entry_key}"[:140],
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
