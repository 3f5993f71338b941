"""The legal person's "Lietotāji" table, declared once (manskonts/columns.py).

templates/accounts/users.html writes its header ({% table_head %}) and rows ({% table_rows %})
from this list. A row is (membership, its RoleForm): the role select comes from the form renderer;
the CSRF token of each row's two forms from the page's request.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from manskonts.columns import Column, Table
from manskonts.templatetags.manskonts import personal_code

CSRF = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
ROLE = (
    '<form method="post" action="{}" class="mk-inline-form mk-row-form">' + CSRF + "{}"
    '<button type="submit" class="govuk-button govuk-button--secondary" '
    'data-module="govuk-button">{}<span class="govuk-visually-hidden"> {}</span></button></form>'
)
REMOVE = (
    '<form method="post" action="{}" class="mk-inline-form">' + CSRF + '<button type="submit" '
    'class="govuk-button govuk-button--warning" data-module="govuk-button">{}'
    '<span class="govuk-visually-hidden"> {}</span></button></form>'
)


def _role(row, context) -> SafeString:
    membership, form = row
    return format_html(
        ROLE,
        reverse("accounts:user_role", args=[membership.pk]),
        get_token(context["request"]),
        form,
        gettext("Mainīt lomu"),
        personal_code(membership.user.personal_code),
    )


def _remove(row, context) -> SafeString:
    membership, _form = row
    return format_html(
        REMOVE,
        reverse("accounts:user_remove", args=[membership.pk]),
        get_token(context["request"]),
        gettext("Noņemt"),
        personal_code(membership.user.personal_code),
    )


USERS = Table(
    [
        Column("name", _("Vārds, uzvārds"), lambda r, c: r[0].user.get_full_name() or "—"),
        Column(
            "personal_code",
            _("Personas kods"),
            lambda r, c: personal_code(r[0].user.personal_code),
            kind="nowrap",
            cell_class=" mk-nowrap",
        ),
        Column("role", _("Loma"), _role),
        Column("actions", _("Darbības"), _remove),
    ]
)
