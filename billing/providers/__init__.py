"""Payment providers: start → redirect → signed callback → result page.

A provider knows how to send the client to pay (`start_url`). Whatever the provider, its callback
is a JSON body signed with HMAC-SHA256 over "<timestamp>.<body>" with PAYMENT_CALLBACK_SECRET and
delivered to `billing:payment_callback`; `billing.portal_payments.handle_callback` verifies it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from billing.providers.base import PaymentProvider
from billing.providers.demo import DemoProvider
from billing.providers.hosted import HostedGatewayProvider

PROVIDERS: dict[str, type[PaymentProvider]] = {
    DemoProvider.code: DemoProvider,
    HostedGatewayProvider.code: HostedGatewayProvider,
}


def get_provider() -> PaymentProvider | None:
    """The configured provider, or None when paying in the portal is switched off."""
    code = settings.PAYMENT_PROVIDER
    if not code:
        return None
    try:
        provider = PROVIDERS[code]()
    except KeyError:
        raise ImproperlyConfigured(
            f"PAYMENT_PROVIDER must be one of {sorted(PROVIDERS)}, not {code!r}"
        ) from None
    provider.check_configuration()
    return provider
