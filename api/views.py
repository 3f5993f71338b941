"""API piekļuve: a person's personal access tokens, or a legal person's (its administrator's)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.forms import TokenForm
from api.models import ApiToken
from api.tables import TOKENS
from manskonts.decorators import client_required


def _rows(client) -> list[ApiToken]:
    return list(
        ApiToken.objects.for_client(client)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def _page(request, form=None, created=None, status=200) -> HttpResponse:
    allowed = tokens.may_manage_tokens(request.user, request.client)
    response = render(
        request,
        "api/tokens.html",
        {
            "allowed": allowed,
            "form": form or TokenForm(),
            "tokens": _rows(request.client) if allowed else [],
            "table": TOKENS.layout(),
            "now": timezone.now(),
            "created": created,
        },
        status=status,
    )
    # A page that shows a new token once is never kept by a browser or a proxy.
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@client_required
def tokens_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    if not tokens.may_manage_tokens(request.user, request.client):
        raise PermissionDenied
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    row, secret = tokens.create_token(
        request.client,
        by=request.user,
        name=data["name"],
        scopes=data["scopes"],
        expires_at=timezone.now() + timedelta(days=int(data["lifetime"])),
    )
    return _page(request, created={"row": row, "secret": secret}, status=201)


@require_POST
@client_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if not tokens.may_manage_tokens(request.user, request.client):
        raise PermissionDenied
    row = get_object_or_404(ApiToken.objects.for_client(request.client), pk=pk)
    if tokens.revoke(row):
        messages.success(request, _("Atslēga „%(name)s” atsaukta.") % {"name": row.name})
    else:
        messages.info(request, _("Atslēga „%(name)s” jau bija atsaukta.") % {"name": row.name})
    return redirect("api_access:tokens")
