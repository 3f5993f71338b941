"""A real provider's hosted payment page (a bank link or card gateway).

The browser goes to PAYMENT_GATEWAY_URL with the merchant id, our reference, the amount and where to
return, all signed with PAYMENT_CALLBACK_SECRET; the gateway then calls `billing:payment_callback`
with a signed JSON event ({"event_id", "reference", "status": "paid"|"cancelled", "amount",
"currency"}) and returns the client to `billing:payment_result`.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from billing.providers.base import PaymentProvider, sign


class HostedGatewayProvider(PaymentProvider):
    code = "hosted"
    name = "Maksājumu pakalpojums"

    def check_configuration(self) -> None:
        missing = [
            name
            for name in ("PAYMENT_GATEWAY_URL", "PAYMENT_MERCHANT_ID", "PAYMENT_CALLBACK_SECRET")
            if not getattr(settings, name, "")
        ]
        if missing:
            raise ImproperlyConfigured(f"PAYMENT_PROVIDER=hosted needs {', '.join(missing)}.")

    def start_url(self, attempt, request) -> str:
        site = settings.SITE_URL
        params = {
            "merchant": settings.PAYMENT_MERCHANT_ID,
            "reference": str(attempt.reference),
            "amount": f"{attempt.amount:.2f}",
            "currency": attempt.currency,
            "description": ", ".join(line.invoice.number for line in attempt.lines.all()),
            "return_url": site + reverse("billing:payment_result", args=[attempt.reference]),
            "callback_url": site + reverse("billing:payment_callback"),
        }
        query = urlencode(params)
        timestamp = str(int(time.time()))
        signature = sign(settings.PAYMENT_CALLBACK_SECRET, timestamp, query.encode())
        return f"{settings.PAYMENT_GATEWAY_URL}?{query}&ts={timestamp}&signature={signature}"
