"""Acting for: only real memberships are offered; the chosen client scopes every page."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from accounts.acting_for import SESSION_KEY, clients_of
from accounts.models import Client, Membership
from documents.models import Document
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    LegalClientFactory,
    MembershipFactory,
    OrderFactory,
    OrderPartFactory,
    UserFactory,
)


def switch(http: HttpClient, client: Client, next_url: str = "/mans-konts/"):
    return http.post("/mans-konts/parstaviba/", {"client": client.pk, "next": next_url})


def client_data(client: Client) -> dict:
    """An e-service, an order (with a part), an invoice and a submitted document of this client."""
    eservice = EServiceFactory(client=client)
    order = OrderFactory(client=client)
    OrderPartFactory(order=order, client=client)
    invoice = InvoiceFactory(order=order)
    document = DocumentFactory(eservice=eservice, direction=Document.Direction.SUBMITTED)
    return {
        "eservice": f"/mans-konts/e-pakalpojumi/{eservice.pk}/",
        "order": f"/mans-konts/pasutijumi/{order.number}/",
        "invoice": f"/mans-konts/rekini/{invoice.number}/",
        "document": f"/mans-konts/datnes/{document.pk}/",
        "order_number": order.number,
    }


@pytest.fixture
def legal_b(db):
    return LegalClientFactory(registration_number="40103987655", name="AS „Būvprojekts”")


@pytest.mark.django_db
def test_acting_for_offers_oneself_and_only_real_memberships(signed_in, colleague, legal, legal_b):
    LegalClientFactory(registration_number="50003123455", name="SIA „Svešie”")
    http = signed_in(colleague)

    response = http.get("/mans-konts/")

    choices = response.context["client_choices"]
    own = Client.objects.get_or_create_for_person(colleague)
    assert sorted(c.pk for c in choices) == sorted([own.pk, legal.pk])
    assert response.context["active_client"] == own


@pytest.mark.django_db
def test_the_header_lists_ones_own_client_and_the_legal_persons_one_is_a_user_of(
    signed_in, outsider, owner_client
):
    zeta = LegalClientFactory(registration_number="40003517893", name="SIA „Zeta”")
    alfa = LegalClientFactory(registration_number="40103987655", name="AS „Alfa”")
    left = LegalClientFactory(registration_number="50003123455", name="SIA „Bijušais”")
    MembershipFactory(user=outsider, client=zeta, role=Membership.Role.ADMIN)
    MembershipFactory(user=outsider, client=alfa, role=Membership.Role.USER)
    MembershipFactory(client=zeta, role=Membership.Role.USER)  # someone else's, not a second row
    MembershipFactory(user=outsider, client=left).delete()  # removed from it
    # A membership row in another person's own client: forms offer legal persons only, the
    # database does not refuse it, and it gives no access.
    MembershipFactory(user=outsider, client=owner_client)
    own = Client.objects.get_or_create_for_person(outsider)

    # Legal persons first, by name, with the person's role; then their own client, with none.
    expected = [(alfa.pk, "user"), (zeta.pk, "admin"), (own.pk, None)]
    assert [(c.pk, c.membership_role) for c in clients_of(outsider)] == expected
    header = signed_in(outsider).get("/mans-konts/").context["client_choices"]
    assert [(c.pk, c.membership_role) for c in header] == expected
    assert set(Client.objects.for_user(outsider)) == {alfa, zeta, own}


@pytest.mark.django_db
def test_a_single_choice_shows_the_name_without_a_switch(signed_in, outsider):
    page = signed_in(outsider).get("/mans-konts/").content.decode()

    assert 'name="client"' not in page
    assert Client.objects.get_or_create_for_person(outsider).name in page


@pytest.mark.django_db
def test_switching_to_ones_legal_person_acts_for_it(signed_in, colleague, legal):
    http = signed_in(colleague)

    response = switch(http, legal)

    assert response.status_code == 302
    assert response["Location"] == "/mans-konts/"
    assert http.session[SESSION_KEY] == legal.pk
    assert http.get("/mans-konts/").context["active_client"] == legal


@pytest.mark.django_db
def test_switching_to_a_legal_person_one_is_not_a_user_of_is_404(signed_in, outsider, legal):
    http = signed_in(outsider)

    response = switch(http, legal)

    assert response.status_code == 404
    assert SESSION_KEY not in http.session
    assert http.get("/mans-konts/").context[
        "active_client"
    ] == Client.objects.get_or_create_for_person(outsider)


@pytest.mark.django_db
def test_switching_to_another_persons_own_client_is_404(signed_in, outsider, owner_client):
    assert switch(signed_in(outsider), owner_client).status_code == 404


@pytest.mark.parametrize("value", ["", "abc", "-1", "99999999999999999999", "1 OR 1=1"])
@pytest.mark.django_db
def test_switching_with_a_malformed_id_is_404(signed_in, colleague, value):
    response = signed_in(colleague).post("/mans-konts/parstaviba/", {"client": value})

    assert response.status_code == 404


@pytest.mark.django_db
def test_switch_refuses_get_and_anonymous(legal):
    assert HttpClient().post("/mans-konts/parstaviba/", {"client": legal.pk}).status_code == 302
    assert HttpClient().get("/mans-konts/parstaviba/").status_code == 405


@pytest.mark.django_db
def test_a_planted_foreign_client_in_the_session_is_ignored(signed_in, outsider, legal):
    http = signed_in(outsider, acting_for=legal)

    response = http.get("/mans-konts/")

    assert response.context["active_client"] == Client.objects.get_or_create_for_person(outsider)


@pytest.mark.django_db
def test_user_of_a_sees_as_data_and_never_bs(signed_in, colleague, legal, legal_b):
    a = client_data(legal)
    b = client_data(legal_b)
    MembershipFactory(client=legal_b)  # B has users of its own
    http = signed_in(colleague)
    switch(http, legal)

    orders_page = http.get("/mans-konts/pasutijumi/").content.decode()

    assert a["order_number"] in orders_page
    assert b["order_number"] not in orders_page
    for name in ("eservice", "order", "invoice", "document"):
        assert http.get(a[name]).status_code == 200, name
        assert http.get(b[name]).status_code == 404, name


@pytest.mark.django_db
def test_acting_as_oneself_never_shows_the_legal_persons_rows(signed_in, colleague, legal):
    a = client_data(legal)
    http = signed_in(colleague)

    orders_page = http.get("/mans-konts/pasutijumi/").content.decode()

    assert a["order_number"] not in orders_page
    for name in ("eservice", "order", "invoice", "document"):
        assert http.get(a[name]).status_code == 404, name


@pytest.mark.django_db
def test_outsider_gets_404_for_every_object_url_of_a(signed_in, outsider, legal):
    a = client_data(legal)
    http = signed_in(outsider)

    for name in ("eservice", "order", "invoice", "document"):
        assert http.get(a[name]).status_code == 404, name
        assert http.post(a[name]).status_code in (404, 405), name


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in_for_object_urls_of_a(legal):
    a = client_data(legal)

    for name in ("eservice", "order", "invoice", "document"):
        response = HttpClient().get(a[name])
        assert response.status_code == 302, name
        assert response["Location"].startswith("/pieslegties/?next="), name


@pytest.mark.django_db
def test_a_removed_membership_ends_acting_for_at_the_next_request(signed_in, colleague, legal):
    a = client_data(legal)
    http = signed_in(colleague)
    switch(http, legal)
    assert http.get(a["order"]).status_code == 200

    Membership.objects.filter(user=colleague, client=legal).delete()

    assert http.get(a["order"]).status_code == 404
    assert http.get("/mans-konts/").context[
        "active_client"
    ] == Client.objects.get_or_create_for_person(colleague)


@pytest.mark.django_db
def test_staff_without_a_personal_code_has_no_mans_konts(clerk):
    http = HttpClient()
    http.force_login(clerk)

    assert http.get("/mans-konts/").status_code == 404


@pytest.mark.django_db
def test_active_client_name_is_on_every_page(signed_in, colleague, legal):
    http = signed_in(colleague)
    switch(http, legal)

    for url in ("/mans-konts/", "/mans-konts/pasutijumi/", "/mans-konts/rekini/", "/pieteikums/"):
        assert "SIA „Zemes Mērnieki”" in http.get(url).content.decode(), url


@pytest.mark.django_db
def test_natural_person_acting_alone_is_unaffected_by_other_persons(signed_in, owner, owner_client):
    theirs = client_data(Client.objects.get_or_create_for_person(UserFactory()))
    mine = client_data(owner_client)
    http = signed_in(owner)

    assert http.get(mine["order"]).status_code == 200
    assert http.get(theirs["order"]).status_code == 404


@pytest.mark.django_db
def test_the_next_sign_in_starts_with_the_client_acted_for_last(signed_in, colleague, legal):
    switch(signed_in(colleague), legal)

    later = signed_in(colleague).get("/mans-konts/")  # a new session, as after signing in again

    assert later.context["active_client"] == legal
    assert later.client.session[SESSION_KEY] == legal.pk


@pytest.mark.django_db
def test_switching_back_to_oneself_is_remembered_too(signed_in, colleague, legal):
    http = signed_in(colleague)
    switch(http, legal)
    switch(http, Client.objects.get_or_create_for_person(colleague))

    later = signed_in(colleague).get("/mans-konts/")

    assert later.context["active_client"] == Client.objects.get_or_create_for_person(colleague)


@pytest.mark.django_db
def test_a_remembered_legal_person_whose_membership_ended_is_not_offered(
    signed_in, colleague, legal
):
    switch(signed_in(colleague), legal)
    Membership.objects.filter(user=colleague, client=legal).delete()

    later = signed_in(colleague).get("/mans-konts/")

    assert later.context["active_client"] == Client.objects.get_or_create_for_person(colleague)


def header_of(response) -> str:
    page = response.content.decode()
    return page[page.index('<header class="mk-header"') : page.index("</header>")]


@pytest.mark.django_db
def test_the_header_names_a_person_acting_alone_once(signed_in, owner, owner_client):
    header = header_of(signed_in(owner).get("/mans-konts/"))

    assert header.count("Anna Bērziņa") == 1
    assert "Pieslēdzies: Anna Bērziņa" in header


@pytest.mark.django_db
def test_the_header_names_a_person_with_a_legal_person_once(signed_in, colleague, legal):
    colleague.first_name, colleague.last_name = "Līga", "Ozola"
    colleague.save()
    http = signed_in(colleague)

    as_self = header_of(http.get("/mans-konts/"))
    switch(http, legal)
    for_legal = header_of(http.get("/mans-konts/"))

    for header in (as_self, for_legal):
        assert header.count("Līga Ozola") == 1
        assert "Savā vārdā</option>" in header
        assert "SIA „Zemes Mērnieki”</option>" in header
