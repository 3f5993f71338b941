"""One Latvian order: Python sorts (service ranks) and the lists' database sort keys agree."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from manskonts.collation import latvian_key, latvian_sort_string
from orders.models import Service
from tests.factories import EServiceFactory

LIST = "/mans-konts/e-pakalpojumi/"
WORDS = ["Žogs", "Šķūnis", "Ceļš", "Āra", "Ara", "Čiekurs", "Sēta", "ābele", "2. māja", "Ģimene"]


@pytest.fixture
def owner_http(owner, signed_in):
    return signed_in(owner)


@pytest.mark.django_db
def test_label_sort_of_the_list_is_the_python_latvian_order(owner_client, owner_http):
    for word in WORDS:
        EServiceFactory(client=owner_client, label=word)

    listed = [e.label for e in owner_http.get(LIST, {"sort": "label"}).context["page"].rows]

    assert listed == sorted(WORDS, key=latvian_key) == sorted(WORDS, key=latvian_sort_string)
    assert listed[:4] == ["2. māja", "ābele", "Ara", "Āra"]


@pytest.mark.django_db
def test_service_sort_of_the_list_is_the_python_latvian_order(owner_client, owner_http):
    names = [s.name for s in Service.objects.all()]
    for service in Service.objects.all():
        EServiceFactory(client=owner_client, service=service)

    up = owner_http.get(LIST, {"sort": "service"}).context["page"].rows

    assert [e.service.name for e in up] == sorted(names, key=latvian_key)[: len(up)]


@given(st.lists(st.text(alphabet="aāAĀcčČdeēģgkķlļnņsšzžŽ 1-.x", min_size=1), max_size=12))
def test_latvian_key_orders_as_the_sort_string(words):
    assert [latvian_sort_string(w) for w in sorted(words, key=latvian_key)] == sorted(
        latvian_sort_string(w) for w in words
    )
