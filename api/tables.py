"""The "API piekļuves atslēgas" table of API piekļuve, declared once (manskonts/columns.py).

templates/api/tokens.html writes its header ({% table_head %}), rows ({% table_rows %}) and the
empty row's colspan from this list. A row is an ApiToken (with created_by); whether it is still
valid is the model's `is_active` at the page's moment (the context's `now`), the CSRF token of the
"Atsaukt" form the page's request's.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.models import Scope
from manskonts.columns import Column, Table
from manskonts.listing import day

SCOPE_LABELS = dict(Scope.choices)
REVOKE = (
    '<form method="post" action="{}" class="mk-inline-form">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<button type="submit" class="govuk-button govuk-button--warning" data-module="govuk-button">'
    '{}<span class="govuk-visually-hidden"> {}</span></button></form>'
)


def _state(token, context) -> SafeString:
    if token.revoked_at:
        label = gettext("Atsaukta")
    elif not token.is_active(context["now"]):
        label = gettext("Beigusies")
    else:
        label = gettext("Derīga")
    tag = "govuk-tag--green" if token.is_active(context["now"]) else "govuk-tag--grey"
    return format_html('<strong class="govuk-tag {}">{}</strong>', tag, label)


def _revoke(token, context) -> SafeString | str:
    if not token.is_active(context["now"]):
        return "—"
    return format_html(
        REVOKE,
        reverse("api_access:revoke", args=[token.pk]),
        get_token(context["request"]),
        gettext("Atsaukt"),
        token.name,
    )


def _last_used(token, context) -> str:
    if not token.last_used_at:
        return gettext("nav lietota")
    return timezone.localtime(token.last_used_at).strftime("%d.%m.%Y %H:%M")


TOKENS = Table(
    [
        Column(
            "name",
            _("Nosaukums"),
            lambda t, c: (t.name, t.prefix),
            '{}<br><span class="govuk-hint mk-nowrap">mk_{}_…</span>',
        ),
        Column(
            "scopes",
            _("Tiesības"),
            lambda t, c: ", ".join(str(SCOPE_LABELS.get(s, s)) for s in t.scopes),
        ),
        Column("created_by", _("Izveidoja"), lambda t, c: t.created_by.get_full_name() or "—"),
        Column(
            "expires",
            _("Derīga līdz"),
            lambda t, c: day(t.expires_at),
            kind="nowrap",
            cell_class=" mk-nowrap",
        ),
        Column("last_used", _("Pēdējo reizi lietota"), _last_used, cell_class=" mk-nowrap"),
        Column("state", _("Statuss"), _state, kind="tag"),
        Column("actions", _("Darbības"), _revoke),
    ]
)
