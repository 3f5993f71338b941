"""Two first upserts of the same new order or e-service at the same moment, on two connections to
real PostgreSQL: one creates it, the other sees its row (200) or is refused cleanly (409), never
a 500 from the unique constraint; one Idempotency-Key sent twice at once does its work once."""

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient

from api.models import Scope
from conversations.models import Message
from eservices.models import EService
from orders.models import Order, OrderPart
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import make_token
from tests.factories import OrderFactory, StaffFactory, UserFactory, own_client

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(calls) -> list:
    """Run each call on its own connection, all released at the same moment; their answers in
    the calls' order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(index, make_call):
        try:
            barrier.wait(timeout=10)
            answers[index] = make_call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def order_body(person, part_numbers=(1,)):
    return {
        "client": {"personal_code": person.personal_code},
        "parts": [
            {"part_number": n, "service": "kadastra-info-ipasums", "object_code": "13000263302"}
            for n in part_numbers
        ],
    }


def eservice_body(person):
    return {
        "client": {"personal_code": person.personal_code},
        "service": "kadastra-info-ipasums",
        "object_code": "13000263302",
    }


@pytest.fixture
def token(reference_data):
    return access_token(make_account(StaffFactory(is_superuser=True)))


def test_two_first_upserts_of_one_new_order_make_one_order(token):
    person = UserFactory()
    own_client(person)
    path = "/api/v1/backoffice/orders/2026-7650001"

    answers = at_once([lambda: call("put", token, path, order_body(person))] * 2)

    assert sorted(a.status_code for a in answers) == [200, 201]
    assert Order.objects.filter(number="2026-7650001").count() == 1
    assert OrderPart.objects.filter(order__number="2026-7650001").count() == 1


def test_two_first_upserts_of_one_new_order_for_two_clients_give_one_a_409(token):
    first, second = UserFactory(), UserFactory()
    own_client(first)
    own_client(second)
    path = "/api/v1/backoffice/orders/2026-7650002"

    answers = at_once(
        [
            lambda: call("put", token, path, order_body(first)),
            lambda: call("put", token, path, order_body(second)),
        ]
    )

    assert sorted(a.status_code for a in answers) == [201, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert refused.json()["code"] == "client_differs"
    assert Order.objects.filter(number="2026-7650002").count() == 1


def test_two_first_upserts_of_one_new_part_make_one_part(token):
    person = UserFactory()
    order = OrderFactory(client=own_client(person), number="2026-7650003")
    path = f"/api/v1/backoffice/orders/{order.number}/parts/1"
    body = order_body(person)["parts"][0]
    del body["part_number"]

    answers = at_once([lambda: call("put", token, path, body)] * 2)

    assert sorted(a.status_code for a in answers) == [200, 201]
    assert OrderPart.objects.filter(order=order, part_number=1).count() == 1


def test_two_first_upserts_of_one_new_e_service_make_one_e_service(token):
    person = UserFactory()
    own_client(person)
    path = "/api/v1/backoffice/eservices/external/LS-7650"

    answers = at_once([lambda: call("put", token, path, eservice_body(person))] * 2)

    assert sorted(a.status_code for a in answers) == [200, 201]
    assert EService.objects.filter(external_id="LS-7650").count() == 1


def test_two_first_upserts_of_one_new_e_service_for_two_clients_give_one_a_409(token):
    first, second = UserFactory(), UserFactory()
    own_client(first)
    own_client(second)
    path = "/api/v1/backoffice/eservices/external/LS-7651"

    answers = at_once(
        [
            lambda: call("put", token, path, eservice_body(first)),
            lambda: call("put", token, path, eservice_body(second)),
        ]
    )

    assert sorted(a.status_code for a in answers) == [201, 409]
    assert EService.objects.filter(external_id="LS-7651").count() == 1


def test_one_idempotency_key_sent_twice_at_once_sends_one_message(reference_data):
    person = UserFactory()
    order = OrderFactory(client=own_client(person), number="2026-7650004")
    token = make_token(order.client, person, scopes=(Scope.READ, Scope.MESSAGES_WRITE))
    path = f"/api/v1/orders/{order.number}/messages"

    def post():
        return HttpClient().post(
            path,
            '{"text": "Kad būs gatavs?"}',
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k-7650"},
        )

    answers = at_once([post, post])

    assert sorted(a.status_code for a in answers) in ([201, 201], [201, 409])
    assert Message.objects.filter(thread__order=order).count() == 1
