"""Who calls the API: a personal access token in the Authorization header, nothing else.

Session cookies are never read (api.middleware drops them before the session is loaded), so CSRF
does not apply; a token in the query string is refused, never honoured. The token is not logged:
the access log (manskonts/request_log.py) writes the route, the status and ids only.
"""

from __future__ import annotations

import logging
import math
import time

from auditlog.context import set_actor
from django.conf import settings
from django.core.cache import cache
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from api import service_accounts, tokens
from api.models import ApiToken, BackOfficeScope, Scope
from api.problems import Problem
from manskonts.client_address import client_address

log = logging.getLogger("manskonts.api")

TOKEN_PARAMS = ("access_token", "token", "api_key", "apikey")

REFUSALS = {
    "token_missing": lambda: _(
        "Pieprasījumam nepieciešama API piekļuves atslēga galvenē Authorization: Bearer …"
    ),
    "token_invalid": lambda: _("API piekļuves atslēga nav derīga."),
    "token_expired": lambda: _("API piekļuves atslēgas derīguma termiņš ir beidzies."),
    "token_revoked": lambda: _("API piekļuves atslēga ir atsaukta."),
}


def refuse_token_in_url(request) -> None:
    """400 token_in_url for a token in the query string (a client's or a service account's):
    never honoured, and the caller told at once, since the address reaches proxies' logs."""
    if any(name in request.GET for name in TOKEN_PARAMS):
        raise Problem(
            400,
            "token_in_url",
            _("API piekļuves atslēgu sūta tikai galvenē Authorization, nekad adresē."),
        )


class TokenAuth(HttpBearer):
    def __call__(self, request):
        refuse_token_in_url(request)
        header = request.headers.get("Authorization", "")
        if not header:
            raise Problem(401, "token_missing", REFUSALS["token_missing"]())
        scheme, _space, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise Problem(401, "token_invalid", REFUSALS["token_invalid"]())
        return self.authenticate(request, raw)

    def authenticate(self, request, token: str) -> ApiToken:
        try:
            found = tokens.authenticate(token)
        except tokens.TokenRefused as refused:
            raise Problem(401, refused.code, REFUSALS[refused.code]()) from None
        limit_rate(found)
        request.api_token = found
        # For the access log's ids and the scoped querysets; never from the session.
        request.client = found.client
        request.user = found.created_by
        return found


# The upload URLs of the back-office API and the scope each takes files from; every other one
# takes files from clients' tokens.
SERVICE_UPLOADS = {
    "api-v1:attach_results": BackOfficeScope.RESULTS_WRITE,
    "api-v1:attach_eservice_results": BackOfficeScope.RESULTS_WRITE,
    "api-v1:back_office_order_message": BackOfficeScope.MESSAGES_WRITE,
    "api-v1:back_office_eservice_message": BackOfficeScope.MESSAGES_WRITE,
}
# The client's upload URLs that take files from messages:write (messages to VZD, answers to its
# requests); every other one from documents:write.
MESSAGE_UPLOADS = frozenset(
    {"api-v1:order_messages", "api-v1:eservice_messages", "api-v1:answer_request"}
)


def audited(request):
    """The writes of an API request, recorded in the audit trail under its caller: the token's
    maker or the service account's user (the audit middleware saw no user: the API reads no
    session, and the caller is known only after authentication)."""
    return set_actor(request.user, remote_addr=client_address(request) or None)


def may_upload(request) -> bool:
    """Asked by manskonts.uploads before an upload's body is read (registered in ApiConfig.ready):
    a live token with the URL's scope in the Authorization header may send files (messages:write
    for messages and answers, documents:write for the others); any other caller gets the small
    limits (no file), and the endpoint then refuses it as it would anyway."""
    scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip() or any(n in request.GET for n in TOKEN_PARAMS):
        return False
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        return False
    if view_name in SERVICE_UPLOADS:  # a service account's results or messages (backoffice*)
        account = service_accounts.authenticate(raw)
        return account is not None and SERVICE_UPLOADS[view_name] in account.scopes
    try:
        found = tokens.authenticate(raw)
    except tokens.TokenRefused:
        return False
    wanted = Scope.MESSAGES_WRITE if view_name in MESSAGE_UPLOADS else Scope.DOCUMENTS_WRITE
    return wanted in found.scopes


def limit_rate(token: ApiToken) -> None:
    limit_rate_key(str(token.pk))


def limit_rate_key(caller: str) -> None:
    """At most API_RATE_LIMIT requests a minute per token or service account (a fixed window in
    the cache); over it, 429 with Retry-After: the seconds until the next minute. A cache that is
    down lets the request through (logged): the limit protects the service, not an access rule."""
    limit = settings.API_RATE_LIMIT
    now = time.time()
    window = int(now // 60)
    key = f"api:rate:{caller}:{window}"
    try:
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    except Exception:  # Redis away: fail open
        log.warning("api rate limit: cache unavailable caller=%s", caller)
        return
    if count > limit:
        retry = max(1, math.ceil((window + 1) * 60 - now))
        raise Problem(
            429,
            "rate_limited",
            _(
                "Pārāk daudz pieprasījumu: ne vairāk kā %(limit)s minūtē. Mēģiniet pēc %(seconds)s s."
            )
            % {"limit": limit, "seconds": retry},
            headers={"Retry-After": str(retry)},
        )


def need_scope(request, scope: str) -> None:
    """403 unless the request's token has `scope`."""
    if scope not in request.api_token.scopes:
        raise Problem(
            403,
            "insufficient_scope",
            _("API piekļuves atslēgai nav tiesību „%(scope)s”.") % {"scope": scope},
            scope=scope,
        )
