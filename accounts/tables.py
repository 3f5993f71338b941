"""The legal person's "Lietotāji" and the person's "Pieteikumi" tables, each declared once
(manskonts/columns.py).

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
from manskonts.listing import day
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


STATUS_TAGS = {"approved": " govuk-tag--green", "rejected": " govuk-tag--red"}


def application_status_tag(application) -> SafeString:
    """An application's status as a tag (its list and its page): green approved, red rejected."""
    return format_html(
        '<strong class="govuk-tag{}">{}</strong>',
        STATUS_TAGS.get(application.status, " govuk-tag--blue"),
        application.get_status_display(),
    )


# The person's "Pieteikumi": their legal-person account applications, newest first.
APPLICATIONS = Table(
    [
        Column(
            "name",
            _("Juridiskā persona"),
            lambda a, c: (reverse("accounts:application_detail", args=[a.pk]), a.name),
            '<a class="govuk-link" href="{}">{}</a>',
        ),
        Column(
            "registration_number", _("Reģistrācijas numurs"), lambda a, c: a.registration_number
        ),
        Column("submitted", _("Iesniegts"), lambda a, c: day(a.created_at), kind="nowrap"),
        Column("status", _("Statuss"), lambda a, c: application_status_tag(a), kind="tag"),
    ]
)
