"""Money is never lost or doubled (issue 11, general guard), property-based on real PostgreSQL.

Hypothesis drives any interleaving of portal payments (attempts started, superseded, "paid"
callbacks repeated or late, "cancelled"), treasury payments recorded by staff (repeated), bank
statement imports (the same file again, overlapping statements, entry references reused across
statements) and clerks resolving unmatched entries. A plain-Python model keeps the distinct real
payments; after every step each invoice holds exactly what arrived for it, split into what it owed
(Payment) and the rest (an Overpayment to refund, visible), "paid in full" exactly when the total is
reached, each bank entry and provider transaction counted once, and no money missing.
Simultaneous callbacks are in test_callback_concurrency.py (threads on a transactional database).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from billing.camt import import_statement, parse, resolve_unmatched
from billing.models import Invoice, Overpayment, Payment, PaymentAttempt, UnmatchedBankEntry
from billing.portal_payments import NothingToPay, handle_callback, start_attempt
from billing.services import order_payment_state, record_payment, with_paid_amount
from tests.billing.helpers import SECRET, camt053, event_body, signed_headers
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory, UserFactory, own_client

ZERO = Decimal("0.00")
TOTALS = (Decimal("13.45"), Decimal("20.00"))
AMOUNTS = st.sampled_from([Decimal("5.00"), Decimal("8.45"), Decimal("13.45"), Decimal("20.00")])
STATEMENT_IDS = st.sampled_from(["STMT-1", "STMT-2", "STMT-3"])
ENTRY_REFS = st.sampled_from(["1", "2", "3"])  # banks restart these in every statement
DAYS = st.sampled_from(["2026-06-19", "2026-06-22"])


class MoneyMachine(RuleBasedStateMachine):
    attempts = Bundle("attempts")
    events = Bundle("events")
    unmatched = Bundle("unmatched")

    def __init__(self):
        super().__init__()
        # Every example starts from the same empty world and leaves nothing behind.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.user = UserFactory(email="")
        self.client = own_client(self.user)
        order = OrderFactory(client=self.client)
        OrderPartFactory(order=order)
        self.invoices = [
            InvoiceFactory(order=order, total=total, amount_net=total, vat_amount=ZERO)
            for total in TOTALS
        ]
        self.order = order
        self.received = {invoice.pk: ZERO for invoice in self.invoices}  # distinct real money
        self.portal_events: set[str] = set()  # provider transactions (event id per attempt)
        self.bank_entries: set[tuple] = set()  # bank entries by identity
        self.waiting = ZERO  # bank money no invoice number matched, until a clerk resolves it
        self.treasury: set[tuple[str, int]] = set()
        self.counter = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _arrived(self, invoice_pk: int, amount: Decimal) -> None:
        self.received[invoice_pk] += amount

    # --- Portal --------------------------------------------------------------------------------

    @rule(target=attempts, which=st.sets(st.sampled_from([0, 1]), min_size=1))
    def start(self, which):
        numbers = [self.invoices[i].number for i in sorted(which)]
        try:
            attempt = start_attempt(self.client, self.user, numbers, "demo")
        except NothingToPay:  # one of them is paid already: the page would not offer it
            owed = with_paid_amount(Invoice.objects.filter(number__in=numbers))
            assert any(i.paid_amount >= i.total for i in owed)
            return None
        lines = [(line.invoice_id, line.amount) for line in attempt.lines.all()]
        return (attempt.pk, tuple(lines))

    def _deliver(self, attempt_pk: int, event_id: str, status: str):
        attempt = PaymentAttempt.objects.get(pk=attempt_pk)
        body = event_body(attempt, event_id=event_id, status=status)
        headers = signed_headers(body)
        return handle_callback(
            "demo",
            body,
            headers["X-Payment-Signature"],
            headers["X-Payment-Timestamp"],
            "192.0.2.1",
        )

    @rule(target=events, attempt=attempts)
    def paid(self, attempt):
        """The bank paid this attempt (also one a newer attempt cancelled, or paid already)."""
        if attempt is None:
            return None
        attempt_pk, lines = attempt
        self.counter += 1
        event_id = f"evt-{self.counter}"
        delivery = self._deliver(attempt_pk, event_id, "paid")
        assert delivery.status_code == 200, delivery.outcome
        self.portal_events.add(event_id)
        for invoice_pk, amount in lines:
            self._arrived(invoice_pk, amount)
        return (attempt_pk, event_id)

    @rule(event=events)
    def paid_again(self, event):
        """The provider repeats a delivery: nothing changes."""
        if event is None:
            return
        attempt_pk, event_id = event
        delivery = self._deliver(attempt_pk, event_id, "paid")
        assert (delivery.status_code, delivery.outcome) == (200, "duplicate")

    @rule(attempt=attempts)
    def cancelled(self, attempt):
        if attempt is None:
            return
        self.counter += 1
        delivery = self._deliver(attempt[0], f"cancel-{self.counter}", "cancelled")
        assert delivery.status_code in (200, 409)

    # --- Staff ---------------------------------------------------------------------------------

    @rule(
        which=st.sampled_from([0, 1]), amount=AMOUNTS, reference=st.sampled_from(["VK-1", "VK-2"])
    )
    def treasury_payment(self, which, amount, reference):
        invoice = self.invoices[which]
        receipt = record_payment(
            invoice,
            amount,
            source=Payment.Source.TREASURY,
            external_id=f"treasury:{reference}:{invoice.number}",
            reference=reference,
        )
        key = (reference, invoice.pk)
        assert (receipt is None) == (key in self.treasury)
        if receipt is not None:
            self.treasury.add(key)
            self._arrived(invoice.pk, amount)

    # --- Bank statements -----------------------------------------------------------------------

    @rule(
        target=unmatched,
        statement_id=STATEMENT_IDS,
        entries=st.lists(
            st.tuples(ENTRY_REFS, AMOUNTS, DAYS, st.sampled_from([0, 1, None])),
            min_size=1,
            max_size=4,
        ),
    )
    def statement(self, statement_id, entries):
        rows = [
            (ref, f"{amount:.2f}", day, self.invoices[which].number if which is not None else "")
            for ref, amount, day, which in entries
        ]
        content = camt053(statement_id, rows)
        new_unmatched = []
        for entry in parse(content).entries:
            identity = (statement_id, entry.reference, entry.booked_on, entry.amount)
            if identity in self.bank_entries:
                continue
            self.bank_entries.add(identity)
            named = [i for i in self.invoices if i.number in entry.remittance.split()]
            if named:
                self._arrived(named[0].pk, entry.amount)
            else:
                self.waiting += entry.amount
                new_unmatched.append(entry.key)
        import_statement(content, f"{statement_id}.xml")
        return new_unmatched[0] if new_unmatched else None

    @rule(entry_key=consumes(unmatched), which=st.sampled_from([0, 1]))
    def clerk_resolves(self, entry_key, which):
        if entry_key is None:
            return
        entry = UnmatchedBankEntry.objects.get(entry_key=entry_key)
        invoice = self.invoices[which]
        assert resolve_unmatched(entry, invoice, by=None) is not None
        assert resolve_unmatched(entry, invoice, by=None) is None  # a second click: nothing
        self.waiting -= entry.amount
        self._arrived(invoice.pk, entry.amount)

    # --- What must always hold -----------------------------------------------------------------

    @invariant()
    def every_invoice_holds_exactly_what_arrived_for_it(self):
        for invoice in with_paid_amount(Invoice.objects.filter(order=self.order)):
            received = self.received[invoice.pk]
            overpaid = sum(
                Overpayment.objects.filter(invoice=invoice).values_list("amount", flat=True), ZERO
            )
            assert invoice.paid_amount == min(invoice.total, received), invoice.number
            assert overpaid == received - invoice.paid_amount, invoice.number
            assert not Overpayment.objects.filter(invoice=invoice).exclude(status="to_refund")

    @invariant()
    def paid_in_full_exactly_when_every_total_is_reached(self):
        reached = all(self.received[i.pk] >= i.total for i in self.invoices)
        assert order_payment_state(self.order).paid_in_full == reached

    @invariant()
    def each_bank_entry_and_provider_transaction_counted_once(self):
        portal = {
            external_id.split(":")[0]
            for model in (Payment, Overpayment)
            for external_id in model.objects.filter(source="portal").values_list(
                "external_id", flat=True
            )
        }
        assert portal == self.portal_events
        bank = {
            external_id.split(":")[1]
            for model in (Payment, Overpayment)
            for external_id in model.objects.filter(source="statement").values_list(
                "external_id", flat=True
            )
        }
        unresolved = UnmatchedBankEntry.objects.filter(resolved_at__isnull=True)
        assert len(bank) + unresolved.count() == len(self.bank_entries)
        waiting = sum(unresolved.values_list("amount", flat=True), ZERO)
        assert waiting == self.waiting


@pytest.mark.django_db
def test_money_is_never_lost_or_doubled_whatever_the_interleaving(settings_fixture):
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


@pytest.fixture
def settings_fixture(settings):
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    return settings
