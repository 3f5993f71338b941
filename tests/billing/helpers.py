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
