"""The built-in demo provider for local runs: a page in the portal plays the bank.

On "pay" the demo bank signs a callback exactly as a real provider would and hands it to the same
verification code the callback URL uses, then sends the browser to the result page. It is off in
production: settings refuse PAYMENT_PROVIDER=demo when DEBUG=0.
"""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from django.urls import reverse

from billing.providers.base import PaymentProvider, sign


class DemoProvider(PaymentProvider):
    code = "demo"
    name = "Demo banka"

    def start_url(self, attempt, request) -> str:
        return reverse("billing:demo_bank", args=[attempt.reference])

    @staticmethod
    def signed_event(attempt, status: str) -> tuple[bytes, str, str]:
        """The body, timestamp and signature the bank would send for this attempt."""
        body = json.dumps(
            {
                "event_id": f"demo-{uuid.uuid4()}",
                "reference": str(attempt.reference),
                "status": status,
                "amount": f"{attempt.amount:.2f}",
                "currency": attempt.currency,
            }
        ).encode()
        timestamp = str(int(time.time()))
        return body, timestamp, sign(settings.PAYMENT_CALLBACK_SECRET, timestamp, body)
