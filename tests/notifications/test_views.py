"""The notification list and marking notifications read: the person's own, for the active client."""

import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from notifications.services import notify as notify_client
from notifications.tables import TABLE
from tests.conftest import sign_in
from tests.tables import headers as table_headers
from tests.tables import rows as table_rows

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
MARK_ALL = reverse("notifications:mark_all_read")


def mark(n) -> str:
    return reverse("notifications:mark_read", args=[n.pk])


def notify(client, subject="Statuss mainīts", link="/mans-konts/pasutijumi/") -> list[Notification]:
    ids = notify_client(client, Notification.Kind.STATUS, subject, "Teksts.", link)
    return list(Notification.objects.filter(pk__in=ids))


def test_list_shows_own_notifications_and_unread_count(signed_in, owner, owner_client, outsider):
    notify(owner_client, "Pasūtījums izpildīts")
    from accounts.models import Client

    notify(Client.objects.get_or_create_for_person(outsider), "Cita persona")

    response = signed_in(owner).get(LIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert [n.subject for n in response.context["notifications"]] == ["Pasūtījums izpildīts"]
    assert "Cita persona" not in page
    assert response.context["unread_notifications"] == 1


def test_list_of_legal_person_is_separate_from_own(signed_in, colleague, legal):
    notify(legal, "Uzņēmumam")

    own = signed_in(colleague).get(LIST)
    for_legal = signed_in(colleague, acting_for=legal).get(LIST)

    assert list(own.context["notifications"]) == []
    assert [n.subject for n in for_legal.context["notifications"]] == ["Uzņēmumam"]


@pytest.mark.parametrize("rows", [1, 30])
def test_list_query_count_does_not_grow(signed_in, owner, owner_client, rows):
    for i in range(rows):
        notify(owner_client, f"Paziņojums {i}")
    http = signed_in(owner)

    with CaptureQueriesContext(connection) as queries:
        response = http.get(LIST)

    assert response.status_code == 200
    # The user with the header (accounts.backends), the rows with their count; the session comes
    # from the cache.
    assert len(queries) == 2


def test_list_pages_and_bad_page_numbers(signed_in, owner, owner_client):
    for i in range(30):
        notify(owner_client, f"Paziņojums {i}")
    http = signed_in(owner)

    first = http.get(LIST)
    second = http.get(LIST, {"cursor": first.context["page"].next_cursor})
    old_link = http.get(LIST, {"page": "2"})  # a bookmark from before the keyset pager
    bad = http.get(LIST, {"page": "abc"})
    bad_cursor = http.get(LIST, {"cursor": "<b>"})

    assert len(first.context["notifications"]) == 25
    assert [n.subject for n in second.context["notifications"]] == [
        f"Paziņojums {i}" for i in range(4, -1, -1)
    ]
    assert second.context["page"].number == 2
    assert bad.status_code == old_link.status_code == bad_cursor.status_code == 200
    assert old_link.context["page"].number == 1
    assert "Lapa nav atrasta; parādīta pirmā lapa." in old_link.content.decode()
    assert "Lapas saite nav derīga; parādīta pirmā lapa." in bad_cursor.content.decode()
    assert [n.pk for n in old_link.context["notifications"]] == [
        n.pk for n in first.context["notifications"]
    ]


def test_mark_read_marks_only_that_one(signed_in, owner, owner_client):
    [first] = notify(owner_client)
    [second] = notify(owner_client)

    response = signed_in(owner).post(mark(first))

    assert response.status_code == 303
    assert response["Location"] == LIST
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None


def test_mark_read_and_open_goes_to_the_link(signed_in, owner, owner_client):
    [n] = notify(owner_client, link="/mans-konts/pasutijumi/2026-1/")

    response = signed_in(owner).post(mark(n), {"open": "1"})

    assert response["Location"] == "/mans-konts/pasutijumi/2026-1/"


def test_mark_read_never_redirects_off_site(signed_in, owner, owner_client):
    [n] = notify(owner_client, link="https://evil.example/")

    response = signed_in(owner).post(mark(n), {"open": "1"})

    assert response["Location"] == LIST


def test_mark_read_keeps_the_first_reading_time(signed_in, owner, owner_client):
    [n] = notify(owner_client)
    earlier = timezone.now() - timezone.timedelta(days=1)
    Notification.objects.filter(pk=n.pk).update(read_at=earlier)

    signed_in(owner).post(mark(n))

    n.refresh_from_db()
    assert n.read_at == earlier


def test_mark_all_read(signed_in, owner, owner_client, colleague, legal):
    notify(owner_client)
    notify(owner_client)
    notify(legal)  # another inbox of someone else: untouched

    response = signed_in(owner).post(MARK_ALL, follow=True)

    assert Notification.objects.filter(recipient=owner, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(client=legal, read_at__isnull=True).count() == 1
    assert [str(m) for m in response.context["messages"]] == [
        "Visi paziņojumi atzīmēti kā izlasīti."
    ]


def test_mark_read_of_someone_elses_notification_is_404(signed_in, owner_client, outsider):
    [n] = notify(owner_client)
    http = signed_in(outsider)

    assert http.post(mark(n)).status_code == 404
    assert http.get(mark(n)).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_read_of_legal_persons_notification_needs_acting_for_it(signed_in, legal, colleague):
    notifications = notify(legal)
    mine = next(n for n in notifications if n.recipient == colleague)

    assert signed_in(colleague).post(mark(mine)).status_code == 404
    assert signed_in(colleague, acting_for=legal).post(mark(mine)).status_code == 303


def test_mark_urls_refuse_get(signed_in, owner, owner_client):
    [n] = notify(owner_client)
    http = signed_in(owner)

    assert http.get(mark(n)).status_code == 405
    assert http.get(MARK_ALL).status_code == 405


def test_notifications_anonymous_redirects_to_sign_in(client, owner_client):
    [n] = notify(owner_client)
    login = reverse("accounts:login")

    assert client.get(LIST)["Location"].startswith(login)
    assert client.post(mark(n))["Location"].startswith(login)
    assert client.post(MARK_ALL)["Location"].startswith(login)


def test_list_table_comes_from_its_declaration_and_its_form_posts(owner, owner_client):
    unread, read = notify(owner_client, "Jauns statuss") + notify(owner_client, "Vecs statuss")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    http = sign_in(HttpClient(enforce_csrf_checks=True), owner)

    page = http.get(LIST).content.decode()

    # The actions column's header is for screen readers only.
    assert table_headers(page, "notifications") == ["Laiks", "Paziņojums", ""]
    assert [str(c.label) for c in TABLE.columns] == ["Laiks", "Paziņojums", "Darbības"]
    assert '<span class="govuk-visually-hidden">Darbības</span></th>' in page
    by_subject = {
        ("Jauns statuss" if "Jauns statuss" in row["Paziņojums"] else "Vecs statuss"): row
        for row in table_rows(page, "notifications")
    }
    assert "govuk-tag--blue" in by_subject["Jauns statuss"]["Paziņojums"]
    assert "govuk-tag--blue" not in by_subject["Vecs statuss"]["Paziņojums"]
    assert "Izlasīts " in by_subject["Vecs statuss"]["Darbības"]
    form = by_subject["Jauns statuss"]["Darbības"]
    assert f'action="{mark(unread)}"' in form
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    response = http.post(mark(unread), {"csrfmiddlewaretoken": token})

    assert response.status_code == 303
    unread.refresh_from_db()
    assert unread.read_at is not None
