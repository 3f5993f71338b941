"""Sign-in through the state identity service over OpenID Connect (mozilla-django-oidc).

Configured by environment variables (see manskonts/settings.py): OIDC_OP_ISSUER, OIDC_RP_CLIENT_ID,
OIDC_RP_CLIENT_SECRET, optionally OIDC_RP_SCOPES and OIDC_PERSONAL_CODE_CLAIM. The provider's
endpoints come from its discovery document (`<issuer>/.well-known/openid-configuration`).

The provider names a person `PK:<personal code>` in the personal-code claim (`sub` by default). A
verified ID token is mapped to our user by `accounts.signin.sign_in_person`, the same code path the
demo provider uses; the person is created at first sign-in.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import jwt
import redis
import requests
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, SuspiciousOperation
from django.core.validators import validate_email
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts.signin import sign_in_person
from manskonts.identifiers import normalize_personal_code

log = logging.getLogger("manskonts.signin")

DISCOVERY_CACHE_SECONDS = 60 * 60
# What Django's Redis cache raises when Redis is down or paused (time-outs: CACHES in settings).
CACHE_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)
# mozilla-django-oidc setting -> discovery document key; an explicit setting wins.
DISCOVERED_ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def enabled() -> bool:
    return bool(
        getattr(settings, "OIDC_OP_ISSUER", "") and getattr(settings, "OIDC_RP_CLIENT_ID", "")
    )


def discovery() -> dict:
    """The provider's discovery document, fetched once an hour and checked to be the issuer's."""
    issuer = settings.OIDC_OP_ISSUER.rstrip("/")
    key = f"oidc-discovery:{issuer}"
    # The cache only saves a fetch: with Redis down sign-in still works, one fetch per sign-in.
    try:
        document = cache.get(key)
    except CACHE_DOWN as error:
        log.warning("OIDC discovery cache unavailable: %s", type(error).__name__)
        document, cache_up = None, False
    else:
        cache_up = True
    if document is None:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration",
            timeout=import_from_settings("OIDC_TIMEOUT", 10),
        )
        response.raise_for_status()
        document = response.json()
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise ImproperlyConfigured("OIDC discovery document names another issuer.")
        missing = [name for name in DISCOVERED_ENDPOINTS.values() if not document.get(name)]
        if missing:
            raise ImproperlyConfigured(f"OIDC discovery document lacks {', '.join(missing)}.")
        if cache_up:
            try:
                cache.set(key, document, DISCOVERY_CACHE_SECONDS)
            except CACHE_DOWN as error:
                log.warning("OIDC discovery not cached: %s", type(error).__name__)
    return document


def oidc_setting(name: str, *default):
    explicit = getattr(settings, name, None)
    if name in DISCOVERED_ENDPOINTS and not explicit:
        return discovery()[DISCOVERED_ENDPOINTS[name]]
    return import_from_settings(name, *default)


def end_session_url(id_token: str | None) -> str | None:
    """Where to send a person who signs out, to end their session at the identity provider too
    (OpenID Connect RP-Initiated Logout): its end_session_endpoint with the ID token as a hint and
    our signed-out page to come back to. None when they did not sign in there or it has none."""
    if not id_token or not enabled():
        return None
    try:
        endpoint = discovery().get("end_session_endpoint")
    except (requests.RequestException, ValueError, ImproperlyConfigured) as error:
        log.warning("OIDC provider unavailable for sign-out: %s", error)
        return None
    if not endpoint:
        return None
    back = settings.SITE_URL + resolve_url(settings.LOGOUT_REDIRECT_URL)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": settings.OIDC_RP_CLIENT_ID,
            "post_logout_redirect_uri": back,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def personal_code_from_claim(value) -> str:
    """`PK:120585-12340` (or the bare code) -> "12058512340"; anything else is refused."""
    if not isinstance(value, str):
        raise SuspiciousOperation("personal code claim missing")
    code = value.strip()
    if code.upper().startswith("PK:"):
        code = code[3:]
    try:
        return normalize_personal_code(code)
    except Exception:
        raise SuspiciousOperation("personal code claim is not a personal code") from None


class PersonalCodeOIDCBackend(OIDCAuthenticationBackend):
    """Verifies the provider's tokens and signs the person in by their personal code."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django builds every backend for every authenticate() call (the staff admin login
        # included): read the provider's settings only when a callback actually arrives.
        self.UserModel = None

    def _configure(self) -> None:
        super().__init__()

    def authenticate(self, request, **kwargs):
        if request is None or not enabled():
            return None
        if not (request.GET.get("code") and request.GET.get("state")):
            return None
        try:
            self._configure()
            return super().authenticate(request, **kwargs)
        except (
            requests.RequestException,
            ValueError,
            KeyError,
            jwt.PyJWTError,
            SuspiciousOperation,
            ImproperlyConfigured,
        ) as error:
            log.warning("OIDC sign-in refused: %s: %s", type(error).__name__, error)
            return None

    def _verify_jws(self, payload, key):
        """Signature, and also issuer, audience and expiry (the library checks only the first)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("unexpected token algorithm")
        return jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_OP_ISSUER.rstrip("/"),
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=30,
        )

    def get_or_create_user(self, access_token, id_token, payload):
        claims = dict(self.get_userinfo(access_token, id_token, payload))
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject")
        claim_name = settings.OIDC_PERSONAL_CODE_CLAIM
        personal_code = personal_code_from_claim(claims.get(claim_name, payload.get(claim_name)))
        try:
            return sign_in_person(
                self.request,
                personal_code,
                first_name=str(claims.get("given_name", ""))[:150],
                last_name=str(claims.get("family_name", ""))[:150],
                email=_plausible_email(claims.get("email")),
            )
        except PermissionDenied:
            return None

    def get_user(self, user_id):
        return None  # sessions name SessionUserBackend (see sign_in_person); this backend only signs in


def _plausible_email(value) -> str:
    if not isinstance(value, str) or len(value) > 254:
        return ""
    try:
        validate_email(value)
    except Exception:
        return ""
    return value


class SignInView(OIDCAuthenticationRequestView):
    """Sends the person to the identity provider. 404 when no provider is configured."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not enabled():
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ValueError, ImproperlyConfigured) as error:
            log.error("OIDC provider unavailable: %s", error)
            messages.error(
                request,
                _("Identitātes pakalpojums pašlaik nav pieejams. Mēģiniet vēlāk vēlreiz."),
            )
            return HttpResponseRedirect(resolve_url("accounts:login"))
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. The backend has signed the person in by the time it succeeds."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request):
        if not enabled():
            raise Http404
        return super().get(request)

    def login_failure(self):
        messages.error(
            self.request,
            _("Pieslēgšanās neizdevās. Mēģiniet vēlreiz vai izvēlieties citu pieslēgšanās veidu."),
        )
        return HttpResponseRedirect(resolve_url("accounts:login"))
