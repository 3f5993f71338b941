"""An e-service's client in the admin: set when a clerk adds it, never changed afterwards (an
e-service moves with no other client's records, and a plain save would show it, its files and
its conversation to another client with no record of who moved it), as an order's client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from eservices.models import EService
from manskonts.client_move import ClientChangeRefused
from orders.models import Service
from tests.factories import (
    EServiceFactory,
    OrderFactory,
    StaffFactory,
    UserFactory,
    own_client,
)
from tests.orders.test_reassign import FormFields

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_http(client, clerk):
    client.force_login(clerk)
    return client


def form_data(http, url) -> dict:
    page = http.get(url)
    assert page.status_code == 200
    parser = FormFields("eservice_form")
    parser.feed(page.content.decode())
    return {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}


def test_the_change_form_shows_the_client_read_only_and_ignores_a_posted_one(
    admin_http, owner, owner_client
):
    eservice = EServiceFactory(client=owner_client, requested_by=owner)
    other = own_client(UserFactory())
    url = reverse("admin:eservices_eservice_change", args=[eservice.pk])
    data = form_data(admin_http, url)
    data.update(client=str(other.pk), object_code="13000263303")

    response = admin_http.post(url, data)

    assert response.status_code == 302
    eservice.refresh_from_db()
    assert (eservice.client_id, eservice.object_code) == (owner_client.pk, "13000263303")
    assert "client" not in form_data(admin_http, url)


def test_an_e_service_is_still_added_with_its_client(client, owner, owner_client):
    # Adding is the superuser's (docs/roles.md: clerks view and change e-services).
    client.force_login(StaffFactory(is_superuser=True))
    url = reverse("admin:eservices_eservice_add")
    data = form_data(client, url)
    data.update(
        client=str(owner_client.pk),
        requested_by=str(owner.pk),
        service=str(Service.objects.get(code="kadastra-info-ipasums").pk),
        object_code="13000263302",
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(EService.objects.values_list("client_id", "object_code")) == [
        (owner_client.pk, "13000263302")
    ]


def test_a_plain_save_of_another_client_is_refused(owner_client):
    eservice = EServiceFactory(client=owner_client)
    eservice.client = own_client(UserFactory())

    with pytest.raises(ClientChangeRefused):
        eservice.save()

    assert EService.objects.get().client_id == owner_client.pk


def test_a_bulk_change_of_client_is_refused(owner_client):
    eservice = EServiceFactory(client=owner_client)
    other = own_client(UserFactory())

    with pytest.raises(ClientChangeRefused):
        EService.objects.filter(pk=eservice.pk).update(client=other)
    with pytest.raises(ClientChangeRefused):
        EService.objects.bulk_update([setattr(eservice, "client", other) or eservice], ["client"])

    assert EService.objects.get().client_id == owner_client.pk


def test_the_change_form_still_refuses_another_clients_order(admin_http, owner_client):
    eservice = EServiceFactory(client=owner_client)
    foreign = OrderFactory(client=own_client(UserFactory()), number="2026-7650010")
    url = reverse("admin:eservices_eservice_change", args=[eservice.pk])
    data = form_data(admin_http, url)
    data["orders"] = [str(foreign.pk)]

    response = admin_http.post(url, data)

    assert response.status_code == 200
    assert (
        "Saistīt var tikai šī paša klienta pasūtījumus; cita klienta: 2026-7650010."
        in response.content.decode()
    )
    assert list(eservice.orders.all()) == []


def test_the_change_form_refuses_a_requester_who_is_not_the_clients(
    admin_http, owner, owner_client, outsider
):
    """The e-service history shows the requester's name to the client: a stranger's would be
    another person's data (the back-office API already looks the requester up among the
    client's people only)."""
    eservice = EServiceFactory(client=owner_client, requested_by=owner)
    url = reverse("admin:eservices_eservice_change", args=[eservice.pk])
    data = form_data(admin_http, url)
    data["requested_by"] = str(outsider.pk)

    response = admin_http.post(url, data)

    assert response.status_code == 200
    assert "Šī persona nav klienta lietotājs." in response.content.decode()
    eservice.refresh_from_db()
    assert eservice.requested_by_id == owner.pk


def test_a_legal_persons_user_is_a_valid_requester(admin_http, legal, legal_admin):
    eservice = EServiceFactory(client=legal, requested_by=None)
    url = reverse("admin:eservices_eservice_change", args=[eservice.pk])
    data = form_data(admin_http, url)
    data["requested_by"] = str(legal_admin.pk)

    response = admin_http.post(url, data)

    assert response.status_code == 302
    eservice.refresh_from_db()
    assert eservice.requested_by_id == legal_admin.pk
