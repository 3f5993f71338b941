"""Signing callbacks as the provider would, for the payment tests."""

from __future__ import annotations

import json
import time

from django.urls import reverse

from billing.providers.base import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

SECRET = "test-callback-secret"
CALLBACK_URL = "/mans-konts/rekini/maksajums/atbilde/"


def event_body(attempt, *, event_id="evt-1", status="paid", amount=None, currency=None) -> bytes:
    return json.dumps(
        {
            "event_id": event_id,
            "reference": str(attempt.reference),
            "status": status,
            "amount": amount if amount is not None else f"{attempt.amount:.2f}",
            "currency": currency or attempt.currency,
        }
    ).encode()


def signed_headers(body: bytes, *, secret=SECRET, timestamp=None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {SIGNATURE_HEADER: "sha256=" + sign(secret, ts, body), TIMESTAMP_HEADER: ts}


def deliver(http, body: bytes, headers: dict[str, str]):
    assert reverse("billing:payment_callback") == CALLBACK_URL
    return http.post(CALLBACK_URL, data=body, content_type="application/json", headers=headers)


def camt053(
    statement_id: str,
    entries: list[tuple[str, str, str, str]],
    *,
    iban: str = "LV47TREL9160000000001",
    message_id: str | None = None,
) -> bytes:
    """A camt.053 statement with booked credit entries (reference, amount, booking date, purpose)."""
    from xml.sax.saxutils import escape

    rows = "".join(
        f"<Ntry><NtryRef>{escape(ref)}</NtryRef><Amt Ccy='EUR'>{escape(amount)}</Amt>"
        f"<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{booked}</Dt></BookgDt>"
        f"<NtryDtls><TxDtls><RmtInf><Ustrd>{escape(purpose)}</Ustrd></RmtInf></TxDtls></NtryDtls>"
        "</Ntry>"
        for ref, amount, booked, purpose in entries
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        "<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><BkToCstmrStmt>"
        f"<GrpHdr><MsgId>{escape(message_id or 'MSG-' + statement_id)}</MsgId></GrpHdr>"
        f"<Stmt><Id>{escape(statement_id)}</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>{rows}"
        "</Stmt></BkToCstmrStmt></Document>"
    ).encode()
