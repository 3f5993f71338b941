"""The Paziņojumi table, declared once (manskonts/columns.py).

templates/notifications/list.html writes its header ({% table_head %}) and rows ({% table_rows %})
from this list; a cell reads the page's context for the request (the CSRF token of each row's
"Atzīmēt kā izlasītu" form).
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from manskonts.columns import Column, Table
from manskonts.listing import day

MARK_READ = (
    '<form method="post" action="{}">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    '<button type="submit" class="mk-button-link govuk-link">{}'
    '<span class="govuk-visually-hidden">: {}</span></button></form>'
)


def _time(n) -> str:
    return timezone.localtime(n.created_at).strftime("%d.%m.%Y %H:%M")


def _notification(n, context) -> SafeString:
    new = (
        format_html('<strong class="govuk-tag govuk-tag--blue">{}</strong> ', gettext("Jauns"))
        if not n.read_at
        else ""
    )
    if n.link:
        subject = format_html('<a class="govuk-link" href="{}">{}</a>', n.link, n.subject)
    else:
        subject = format_html('<span class="govuk-!-font-weight-bold">{}</span>', n.subject)
    return format_html('{}{}<p class="govuk-body-s">{}</p>', new, subject, n.body)


def _actions(n, context) -> SafeString:
    if n.read_at:
        return format_html(
            '<span class="govuk-body-s">{}</span>',
            gettext("Izlasīts %(date)s") % {"date": day(n.read_at)},
        )
    return format_html(
        MARK_READ,
        reverse("notifications:mark_read", args=[n.pk]),
        get_token(context["request"]),
        gettext("Atzīmēt kā izlasītu"),
        n.subject,
    )


TABLE = Table(
    [
        Column("time", _("Laiks"), lambda n, c: _time(n), kind="nowrap"),
        Column("notification", _("Paziņojums"), _notification),
        Column("actions", _("Darbības"), _actions, label_hidden=True),
    ]
)
