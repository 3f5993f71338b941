"""A legal person's administrator manages its users at /mans-konts/lietotaji/."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from accounts.models import Client, Membership, User
from accounts.tables import USERS as USERS_TABLE
from manskonts.templatetags.manskonts import personal_code
from tests.conftest import sign_in
from tests.factories import MembershipFactory, OrderFactory, UserFactory
from tests.tables import headers as table_headers
from tests.tables import rows as table_rows

USERS = "/mans-konts/lietotaji/"


@pytest.fixture
def admin_http(signed_in, legal_admin, legal):
    return signed_in(legal_admin, acting_for=legal)


@pytest.mark.django_db
def test_admin_sees_the_legal_persons_users(admin_http, legal_admin, colleague):
    response = admin_http.get(USERS)

    assert response.status_code == 200
    assert {m.user for m in response.context["memberships"]} == {legal_admin, colleague}
    assert 'href="/mans-konts/lietotaji/"' in response.content.decode()


@pytest.mark.django_db
def test_users_page_query_count_is_the_same_for_one_and_many(admin_http, legal):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin_http.get(USERS).status_code == 200
        return len(queries)

    admin_http.get(USERS)
    one = count()
    for _ in range(15):
        MembershipFactory(client=legal)

    assert count() == one


@pytest.mark.django_db
def test_colleague_may_not_manage_users(signed_in, colleague, legal):
    http = signed_in(colleague, acting_for=legal)

    assert http.get(USERS).status_code == 403
    assert (
        http.post(
            f"{USERS}pievienot/", {"personal_code": "32000000009", "role": "user"}
        ).status_code
        == 403
    )
    assert 'href="/mans-konts/lietotaji/"' not in http.get("/mans-konts/").content.decode()


@pytest.mark.django_db
def test_users_page_is_404_when_acting_for_oneself(signed_in, legal_admin):
    assert signed_in(legal_admin).get(USERS).status_code == 404


@pytest.mark.django_db
def test_outsider_and_anonymous_cannot_reach_the_users_page(signed_in, outsider, legal):
    assert signed_in(outsider, acting_for=legal).get(USERS).status_code == 404
    assert HttpClient().get(USERS)["Location"].startswith("/pieslegties/?next=")


@pytest.mark.django_db
def test_admin_adds_a_new_person_by_personal_code(admin_http, legal):
    response = admin_http.post(
        f"{USERS}pievienot/", {"personal_code": "120585-12340", "role": "user"}
    )

    person = User.objects.get(personal_code="12058512340")
    assert response.status_code == 302
    assert Membership.objects.get(client=legal, user=person).role == "user"
    assert Client.objects.filter(person=person).count() == 1


@pytest.mark.django_db
def test_an_added_person_can_act_for_the_legal_person_at_once(admin_http, signed_in, legal):
    newcomer = UserFactory()
    order = OrderFactory(client=legal)
    http = signed_in(newcomer)
    http.post("/mans-konts/parstaviba/", {"client": legal.pk})
    assert http.get(f"/mans-konts/pasutijumi/{order.number}/").status_code == 404

    admin_http.post(f"{USERS}pievienot/", {"personal_code": newcomer.personal_code, "role": "user"})
    http.post("/mans-konts/parstaviba/", {"client": legal.pk})

    assert http.get(f"/mans-konts/pasutijumi/{order.number}/").status_code == 200


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"personal_code": "999999-99999", "role": "user"}, "Personas kods nav derīgs"),
        ({"personal_code": "40003517893", "role": "user"}, "Personas kods nav derīgs"),
        ({"personal_code": "<b>x</b>", "role": "user"}, "Personas kods nav derīgs"),
        ({"personal_code": "120585-12340", "role": "owner"}, "Izvēlieties lomu"),
        ({"personal_code": "", "role": "user"}, "Ievadiet personas kodu"),
    ],
)
@pytest.mark.django_db
def test_adding_with_bad_input_shows_a_message(admin_http, legal, data, message):
    response = admin_http.post(f"{USERS}pievienot/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Membership.objects.filter(client=legal).count() == 1


@pytest.mark.django_db
def test_adding_an_existing_user_again_is_refused(admin_http, legal, colleague):
    response = admin_http.post(
        f"{USERS}pievienot/", {"personal_code": colleague.personal_code, "role": "admin"}
    )

    assert response.status_code == 400
    assert "jau ir šīs juridiskās personas lietotājs" in response.content.decode()
    assert Membership.objects.get(client=legal, user=colleague).role == "user"


@pytest.mark.django_db
def test_admin_changes_a_users_role(admin_http, legal, colleague):
    membership = Membership.objects.get(client=legal, user=colleague)

    response = admin_http.post(f"{USERS}{membership.pk}/loma/", {"role": "admin"})

    membership.refresh_from_db()
    assert response.status_code == 302
    assert membership.role == "admin"


@pytest.mark.django_db
def test_the_last_administrator_cannot_step_down_or_leave(admin_http, legal, legal_admin):
    own = Membership.objects.get(client=legal, user=legal_admin)

    demote = admin_http.post(f"{USERS}{own.pk}/loma/", {"role": "user"}, follow=True)
    leave = admin_http.post(f"{USERS}{own.pk}/nonemt/", follow=True)

    own.refresh_from_db()
    assert own.role == "admin"
    assert "vismaz vienam administratoram" in demote.content.decode()
    assert "vismaz vienam administratoram" in leave.content.decode()


@pytest.mark.django_db
def test_admin_removes_a_user_who_loses_access_at_the_next_request(
    admin_http, signed_in, legal, colleague
):
    order = OrderFactory(client=legal)
    colleague_http = signed_in(colleague, acting_for=legal)
    assert colleague_http.get(f"/mans-konts/pasutijumi/{order.number}/").status_code == 200
    membership = Membership.objects.get(client=legal, user=colleague)

    response = admin_http.post(f"{USERS}{membership.pk}/nonemt/")

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert colleague_http.get(f"/mans-konts/pasutijumi/{order.number}/").status_code == 404
    overview = colleague_http.get("/mans-konts/")
    assert overview.context["active_client"] == Client.objects.get_or_create_for_person(colleague)
    assert colleague_http.post("/mans-konts/parstaviba/", {"client": legal.pk}).status_code == 404


@pytest.mark.django_db
def test_a_demoted_administrator_loses_user_management_at_the_next_request(
    admin_http, signed_in, legal, colleague
):
    membership = Membership.objects.get(client=legal, user=colleague)
    admin_http.post(f"{USERS}{membership.pk}/loma/", {"role": "admin"})
    colleague_http = signed_in(colleague, acting_for=legal)
    assert colleague_http.get(USERS).status_code == 200

    admin_http.post(f"{USERS}{membership.pk}/loma/", {"role": "user"})

    assert colleague_http.get(USERS).status_code == 403


@pytest.mark.django_db
def test_memberships_of_another_legal_person_are_404(admin_http):
    foreign = MembershipFactory(client__registration_number="40103987655")

    assert admin_http.post(f"{USERS}{foreign.pk}/nonemt/").status_code == 404
    assert admin_http.post(f"{USERS}{foreign.pk}/loma/", {"role": "admin"}).status_code == 404
    assert Membership.objects.filter(pk=foreign.pk, role="user").exists()


@pytest.mark.django_db
def test_user_management_urls_refuse_get(admin_http, legal, colleague):
    membership = Membership.objects.get(client=legal, user=colleague)

    for url in (
        f"{USERS}pievienot/",
        f"{USERS}{membership.pk}/loma/",
        f"{USERS}{membership.pk}/nonemt/",
    ):
        assert admin_http.get(url).status_code == 405, url


@pytest.mark.django_db
def test_adding_with_nothing_filled_in_names_the_fields_in_the_summary(admin_http, legal):
    response = admin_http.post(f"{USERS}pievienot/", {})

    page = response.content.decode()
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    assert '<a href="#id_personal_code">Personas kods — Ievadiet personas kodu.</a>' in summary
    assert '<a href="#id_role_0">Loma — Izvēlieties lomu.</a>' in summary
    assert 'id="id_role_0"' in page


@pytest.mark.django_db
def test_users_table_comes_from_its_declaration_and_its_forms_post(legal_admin, legal, colleague):
    http = sign_in(HttpClient(enforce_csrf_checks=True), legal_admin, legal)

    page = http.get(USERS).content.decode()

    assert table_headers(page, "users") == [str(c.label) for c in USERS_TABLE.columns]
    rows = {row["Personas kods"]: row for row in table_rows(page, "users")}
    row = rows[personal_code(colleague.personal_code)]
    assert row["Vārds, uzvārds"] == colleague.get_full_name()
    membership = Membership.objects.get(client=legal, user=colleague)
    assert f'action="/mans-konts/lietotaji/{membership.pk}/' in row["Darbības"]
    assert "<select" in row["Loma"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', row["Loma"]).group(1)
    action = re.search(r'action="([^"]+)"', row["Loma"]).group(1)

    response = http.post(action, {"csrfmiddlewaretoken": token, "role": Membership.Role.ADMIN})

    assert response.status_code in (302, 303)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.ADMIN
