"""Paying invoices in the portal: starting an attempt, and the provider's signed callback.

The callback fails closed: no secret configured, no or a wrong signature, a stale timestamp, an
unknown attempt, a wrong amount or currency — each is refused with a 4xx and nothing changes. Every
delivery is recorded with its outcome. The same event twice, also at the same moment, records one
payment: the attempt row is locked, and each event is recorded once (`record_payments`). A "paid"
event for an invoice already paid (another attempt, a bank transfer) is kept as an overpayment to
refund, never as a second payment."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import CallbackDelivery, Invoice, Payment, PaymentAttempt, PaymentAttemptInvoice
from billing.providers.base import signature_matches
from billing.services import amount_owed, lock_key, owed_invoices, record_payments

log = logging.getLogger("manskonts.billing")
Outcome = CallbackDelivery.Outcome


class NothingToPay(Exception):
    """None of the chosen invoices is the client's with something owed."""


def start_attempt(client, user, numbers: list[str], provider_code: str) -> PaymentAttempt:
    """One attempt for the chosen invoices of this client that still owe something.

    An open attempt for any of these invoices (another tab, a double click) is cancelled first, so
    one invoice has at most one attempt waiting at the bank. Should the bank still pay a cancelled
    one, its callback records the money all the same: as a payment if still owed, else as an
    overpayment to refund (`record_payments`).
    """
    with transaction.atomic():
        # Starts for one client queue up here, so two tabs cannot both find nothing to cancel.
        # Attempts are locked before anything else, as the callback locks them.
        lock_key(f"payment-start:{client.pk}")
        chosen = PaymentAttemptInvoice.objects.filter(
            invoice__client=client, invoice__number__in=numbers
        ).values("attempt")
        stale = list(
            PaymentAttempt.objects.select_for_update()
            .filter(pk__in=chosen, status=PaymentAttempt.Status.PENDING)
            .order_by("pk")
        )
        invoices = list(
            owed_invoices(client).filter(number__in=numbers).order_by("issued_on", "id")
        )
        if not invoices or len(invoices) != len(set(numbers)):
            raise NothingToPay
        currencies = {i.currency for i in invoices}
        if len(currencies) != 1:
            raise NothingToPay
        now = timezone.now()
        for old in stale:
            old.status = PaymentAttempt.Status.CANCELLED
            old.completed_at = now
            old.save(update_fields=["status", "completed_at"])
            log.info("payment attempt superseded reference=%s", old.reference)
        attempt = PaymentAttempt.objects.create(
            client=client,
            started_by=user,
            provider=provider_code,
            amount=sum((amount_owed(i) for i in invoices), Decimal("0.00")),
            currency=currencies.pop(),
        )
        PaymentAttemptInvoice.objects.bulk_create(
            PaymentAttemptInvoice(attempt=attempt, invoice=i, amount=amount_owed(i))
            for i in invoices
        )
    log.info("payment attempt started reference=%s invoices=%s", attempt.reference, numbers)
    return attempt


@dataclass
class Event:
    event_id: str
    reference: uuid.UUID
    status: str
    amount: Decimal
    currency: str


class Rejected(Exception):
    def __init__(self, outcome: str, status_code: int):
        super().__init__(outcome)
        self.outcome, self.status_code = outcome, status_code


def parse_event(body: bytes) -> Event:
    try:
        data = json.loads(body)
        event_id = data["event_id"]
        status = data["status"]
        currency = data["currency"]
        if not (isinstance(event_id, str) and 0 < len(event_id) <= 100 and event_id.isprintable()):
            raise ValueError("event_id")
        if status not in ("paid", "cancelled") or not isinstance(currency, str):
            raise ValueError("status or currency")
        amount = Decimal(str(data["amount"]))
        if not amount.is_finite():
            raise ValueError("amount")
        return Event(event_id, uuid.UUID(str(data["reference"])), status, amount, currency)
    except (ValueError, TypeError, KeyError, InvalidOperation, AttributeError):
        raise Rejected(Outcome.MALFORMED, 400) from None


def verify(body: bytes, signature: str | None, timestamp: str | None) -> None:
    secret = settings.PAYMENT_CALLBACK_SECRET
    if not secret:
        raise Rejected(Outcome.NO_SECRET, 403)
    if not signature or not timestamp:
        raise Rejected(Outcome.MISSING_SIGNATURE, 400)
    if not signature_matches(secret, timestamp, body, signature):
        raise Rejected(Outcome.BAD_SIGNATURE, 403)
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise Rejected(Outcome.MALFORMED, 400) from None
    if abs(time.time() - sent_at) > settings.PAYMENT_CALLBACK_MAX_AGE_SECONDS:
        raise Rejected(Outcome.STALE, 400)


def apply_event(event: Event) -> tuple[str, int, PaymentAttempt]:
    """Apply a verified event to its attempt, under a row lock so deliveries queue up."""
    with transaction.atomic():
        attempt = (
            PaymentAttempt.objects.select_for_update().filter(reference=event.reference).first()
        )
        if attempt is None:
            raise Rejected(Outcome.UNKNOWN_ATTEMPT, 404)
        if event.status == "cancelled":
            if attempt.status == PaymentAttempt.Status.CANCELLED:
                return Outcome.DUPLICATE, 200, attempt
            if attempt.status != PaymentAttempt.Status.PENDING:
                return Outcome.CONFLICT, 409, attempt
            attempt.status = PaymentAttempt.Status.CANCELLED
            attempt.completed_at = timezone.now()
            attempt.save(update_fields=["status", "completed_at"])
            return Outcome.CANCELLED, 200, attempt
        # A "paid" event is money that arrived: whatever the attempt's state (also cancelled
        # by a newer attempt, or already paid by another event), it is recorded, and what the
        # invoices no longer owe becomes an overpayment to refund.
        if event.currency != attempt.currency:
            return Outcome.WRONG_CURRENCY, 400, attempt
        if event.amount != attempt.amount:
            return Outcome.WRONG_AMOUNT, 400, attempt
        lines = list(attempt.lines.select_related("invoice").order_by("invoice_id"))
        receipts = record_payments(
            [
                (line.invoice, line.amount, f"{event.event_id}:{line.invoice.number}")
                for line in lines
            ],
            source=Payment.Source.PORTAL,
            paid_on=timezone.localdate(),
            reference=event.event_id,
            attempt=attempt,
        )
        if all(receipt is None for receipt in receipts):
            return Outcome.DUPLICATE, 200, attempt
        if attempt.status != PaymentAttempt.Status.PAID:
            attempt.status = PaymentAttempt.Status.PAID
            attempt.completed_at = timezone.now()
            attempt.save(update_fields=["status", "completed_at"])
        if any(receipt and receipt.overpayment for receipt in receipts):
            return Outcome.OVERPAID, 200, attempt
        return Outcome.ACCEPTED, 200, attempt


def _storable(text: str) -> str:
    """PostgreSQL text cannot hold NUL: keep the delivery on record with it replaced."""
    return text.replace("\x00", "\ufffd")


# Refused before the signature was shown good: what anyone can send, so rate-limited per address.
UNVERIFIED = (Outcome.NO_SECRET, Outcome.MISSING_SIGNATURE, Outcome.BAD_SIGNATURE, Outcome.STALE)
BODY_LIMIT = 2000


def handle_callback(
    provider: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    remote_addr: str | None = None,
) -> CallbackDelivery:
    """Verify and apply one delivery; record it with its outcome whatever happens.

    Except past the limit of unverified deliveries from one address
    (PAYMENT_CALLBACK_UNVERIFIED_LIMIT per PAYMENT_CALLBACK_UNVERIFIED_WINDOW_SECONDS): those are
    answered 429 and not stored (an unsaved delivery is returned), so garbage costs no writes.
    """
    event_id, attempt = "", None
    try:
        verify(body, signature, timestamp)
        event = parse_event(body)
        event_id = event.event_id
        outcome, status_code, attempt = apply_event(event)
    except Rejected as rejected:
        outcome, status_code = rejected.outcome, rejected.status_code
    text = _storable(body.decode("utf-8", "replace"))
    delivery = CallbackDelivery(
        provider=provider[:20],
        event_id=event_id,
        attempt=attempt,
        signature=_storable(signature or "")[:200],
        timestamp=_storable(timestamp or "")[:40],
        body=text[:BODY_LIMIT],
        body_size=len(body),
        body_truncated=len(text) > BODY_LIMIT,
        outcome=outcome,
        status_code=status_code,
        remote_addr=remote_addr,
    )
    if outcome in UNVERIFIED:
        with transaction.atomic():
            # Deliveries from one address count one at a time, so a burst cannot pass the limit.
            lock_key(f"payment-callback-address:{remote_addr}")
            if _unverified_recently(remote_addr) >= settings.PAYMENT_CALLBACK_UNVERIFIED_LIMIT:
                log.info("payment callback rate-limited remote_addr=%s", remote_addr)
                delivery.outcome, delivery.status_code = Outcome.RATE_LIMITED, 429
                return delivery
            delivery.save()
    else:
        delivery.save()
    log.info("payment callback outcome=%s status=%s event_id=%s", outcome, status_code, event_id)
    return delivery


def _unverified_recently(remote_addr: str | None) -> int:
    since = timezone.now() - timedelta(seconds=settings.PAYMENT_CALLBACK_UNVERIFIED_WINDOW_SECONDS)
    deliveries = CallbackDelivery.objects.filter(outcome__in=UNVERIFIED, received_at__gte=since)
    if remote_addr is None:
        return deliveries.filter(remote_addr__isnull=True).count()
    return deliveries.filter(remote_addr=remote_addr).count()


def invoices_of(attempt: PaymentAttempt) -> list[Invoice]:
    return [line.invoice for line in attempt.lines.select_related("invoice")]
