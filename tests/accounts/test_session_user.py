"""The session's user is read in the same statement as the page header's clients
(accounts.backends.SessionUserBackend): one round trip fewer on every page, and the same checks as
Django's ModelBackend — an inactive person or a changed password ends the session."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from notifications.models import Notification
from notifications.services import notify
from tests.factories import LegalClientFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def statements(http, url: str) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    return response, [q["sql"] for q in queries]


def test_one_statement_reads_the_user_and_the_header(signed_in, legal_admin, legal):
    notify(legal, Notification.Kind.STATUS, "Statuss mainīts", "Teksts.", "/mans-konts/")
    http = signed_in(legal_admin, acting_for=legal)

    response, sql = statements(http, "/mans-konts/pazinojumi/")

    assert response.status_code == 200
    # One statement reads the session's user and carries the header's clients; no other
    # statement reads the user or the clients.
    assert sum("header_clients" in s for s in sql) == 1
    assert not any(s.lstrip().startswith("SELECT c.*") for s in sql)
    assert not any('FROM "accounts_user"' in s for s in sql)
    assert response.context["active_client"] == legal
    assert response.context["manages_users"] is True
    assert response.context["unread_notifications"] == 1


def test_the_header_offers_the_same_clients_in_the_same_order(signed_in, colleague, legal):
    other = LegalClientFactory(registration_number="40103987655", name="AS „Būvprojekts”")
    MembershipFactory(user=colleague, client=other, role=Membership.Role.USER)
    http = signed_in(colleague)

    response = http.get("/mans-konts/")

    names = [c.name for c in response.context["client_choices"]]
    own = colleague.get_full_name()
    # Legal persons first (by name), then the person's own client: as clients_of orders them.
    assert names == [*sorted([legal.name, other.name]), own]
    assert response.context["active_client"].name == own


def test_the_chosen_legal_persons_users_fill_the_user_filter(signed_in, legal_admin, legal):
    colleague = MembershipFactory(client=legal, role=Membership.Role.USER).user
    http = signed_in(legal_admin, acting_for=legal)

    response = http.get("/mans-konts/e-pakalpojumi/")

    form = response.context["filterset"].form
    offered = {str(value) for value, _label in form.fields["user"].choices if value}
    assert offered == {str(legal_admin.pk), str(colleague.pk)}


def test_the_user_filter_offers_the_users_by_name_as_client_users_does(signed_in, legal):
    for first, last in (("Zane", "Ozola"), ("Andris", "Ābele"), ("Aina", "Ozola")):
        MembershipFactory(client=legal, user=UserFactory(first_name=first, last_name=last))
    admin = MembershipFactory(client=legal, role=Membership.Role.ADMIN).user
    MembershipFactory(user=UserFactory(first_name="Cita", last_name="Firma"))  # another client's

    response = signed_in(admin, acting_for=legal).get("/mans-konts/e-pakalpojumi/")

    offered = [value for value, _label in response.context["filterset"].form.fields["user"].choices]
    assert [v for v in offered if v] == [str(u.pk) for u in legal.users()]


def test_the_client_acted_for_last_is_chosen_in_a_new_session(signed_in, legal_admin, legal):
    legal_admin.last_client = legal
    legal_admin.save(update_fields=["last_client"])

    response = signed_in(legal_admin).get("/mans-konts/")

    assert response.context["active_client"] == legal
    assert response.context["manages_users"] is True


def test_a_deactivated_person_is_signed_out_at_the_next_request(signed_in, owner):
    http = signed_in(owner)
    assert http.get("/mans-konts/").status_code == 200

    type(owner).objects.filter(pk=owner.pk).update(is_active=False)

    response = http.get("/mans-konts/")
    assert response.status_code == 302
    assert "/pieslegties/" in response["Location"]


def test_a_changed_password_ends_the_session(signed_in):
    person = UserFactory()
    person.set_password("pirmā-parole-123")
    person.save()
    http = signed_in(person)
    assert http.get("/mans-konts/").status_code == 200

    person.set_password("otrā-parole-456")
    person.save()

    response = http.get("/mans-konts/")
    assert response.status_code == 302


def test_a_removed_membership_takes_effect_at_the_next_request(signed_in, colleague, legal):
    http = signed_in(colleague, acting_for=legal)
    assert http.get("/mans-konts/").context["active_client"] == legal

    Membership.objects.filter(user=colleague, client=legal).delete()

    response = http.get("/mans-konts/")
    assert response.context["active_client"] != legal
    assert legal not in response.context["client_choices"]
