"""What every payment provider offers, and the callback signature they all share."""

from __future__ import annotations

import hashlib
import hmac

from django.http import HttpRequest

SIGNATURE_HEADER = "X-Payment-Signature"
TIMESTAMP_HEADER = "X-Payment-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of "<timestamp>.<body>", hex: the timestamp is signed so it cannot be replaced."""
    message = timestamp.encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    provided = signature.removeprefix("sha256=").strip().lower()
    try:
        expected = sign(secret, timestamp, body)
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected.encode("ascii"), provided.encode("ascii", "replace"))


class PaymentProvider:
    code = ""
    name = ""

    def check_configuration(self) -> None:
        """Raise ImproperlyConfigured when the settings this provider needs are missing."""

    def start_url(self, attempt, request: HttpRequest) -> str:
        """Where to send the client's browser to pay `attempt`."""
        raise NotImplementedError
