from functools import cache

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.forms import ActingForForm
from accounts.models import Membership
from manskonts.fragments import Fragments
from manskonts.templatetags.manskonts import hidden_inputs
from notifications.models import Notification

# The navigation of Mans konts: (URL name, label, whether the pages below it belong to it).
NAV = (
    ("overview", _("Pārskats"), False),
    ("eservices:list", _("E-pakalpojumu vēsture"), True),
    ("orders:list", _("Mani pasūtījumi VZD"), True),
    ("billing:invoice_list", _("Rēķini"), True),
    ("notifications:list", _("Paziņojumi"), False),
    ("accounts:application_list", _("Pieteikumi"), True),
)
USERS_NAV = ("accounts:users", _("Lietotāji"), False)


@cache
def _url(name: str) -> str:
    return reverse(name)


def navigation(path: str, unread: int, manages_users: bool) -> list[dict]:
    """The items of the navigation bar, the one for the current page marked active."""
    items = []
    for name, label, below in (*NAV, USERS_NAV) if manages_users else NAV:
        url = _url(name)
        items.append(
            {
                "url": url,
                "label": label,
                "current": path == url,
                "active": path == url or (below and path.startswith(url)),
                "unread": unread if name == "notifications:list" else 0,
            }
        )
    return items


# The header's switch for the same choices, client, page and language: kept (manskonts.fragments).
SWITCH_FIELDS = Fragments("acting-for fields")


def acting_for_fields(user, choices, client, request) -> SafeString:
    """The header switch's fields (ActingForForm: the client select as its form group, the page
    to come back to as a hidden input), kept under what they are written from."""
    here = request.get_full_path()
    key = (
        get_language(),
        tuple((c.pk, c.person_id == user.pk, c.name) for c in choices),
        client.pk,
        here,
    )

    def write() -> SafeString:
        form = ActingForForm(
            user=user, choices=choices, initial={"client": client.pk, "next": here}
        )
        visible = "".join(field.as_field_group() for field in form.visible_fields())
        return SafeString(visible + hidden_inputs(form))

    return SWITCH_FIELDS.get(key, write)


def acting_for(request):
    """The active client, whom else the person may act for (and the header's form to switch),
    unread notifications, navigation.

    The choices, the person's role and the unread count come from
    `accounts.acting_for.resolve_client`, which has already read them for this request.
    """
    client = getattr(request, "client", None)
    if client is None:
        return {
            "active_client": None,
            "client_choices": [],
            "acting_for_fields": "",
            "unread_notifications": 0,
            "manages_users": False,
            "nav": [],
        }
    unread = getattr(client, "unread_count", None)
    if unread is None:
        unread = Notification.objects.for_recipient(request.user, client).unread().count()
    manages_users = (
        client.is_legal and getattr(client, "membership_role", None) == Membership.Role.ADMIN
    )
    choices = getattr(request, "client_choices", [client])
    return {
        "active_client": client,
        "client_choices": choices,
        # The header's switch, when there is someone else to act for.
        "acting_for_fields": acting_for_fields(request.user, choices, client, request)
        if len(choices) > 1
        else "",
        "unread_notifications": unread,
        "manages_users": manages_users,
        "nav": navigation(request.path, unread, manages_users),
    }
