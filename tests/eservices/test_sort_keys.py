"""The denormalized sort keys follow the rows they come from."""

import pytest

from eservices.models import EService, EServiceStatus
from eservices.services import change_eservice_status
from eservices.signals import refresh_service_ranks
from manskonts.collation import latvian_sort_string
from orders.models import OrderPart, Service
from orders.services import change_order_part_status
from orders.workflow import OrderStatus
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory


@pytest.mark.django_db
def test_order_key_follows_added_removed_and_cleared_orders():
    eservice = EServiceFactory()
    late = OrderFactory(number="2026-0000009")
    early = OrderFactory(number="2026-0000001")

    eservice.orders.add(late)
    after_add = EService.objects.get(pk=eservice.pk).order_key
    late.eservices.add(EServiceFactory())
    early.eservices.add(eservice)  # reverse side
    after_reverse = EService.objects.get(pk=eservice.pk).order_key
    eservice.orders.remove(early)
    after_remove = EService.objects.get(pk=eservice.pk).order_key
    late.eservices.clear()

    assert after_add == "2026-0000009"
    assert after_reverse == "2026-0000001"
    assert after_remove == "2026-0000009"
    assert EService.objects.get(pk=eservice.pk).order_key == "~"


@pytest.mark.django_db
def test_renumbered_order_updates_parts_and_eservices():
    order = OrderFactory(number="2026-0000005")
    part = OrderPartFactory(order=order)
    eservice = EServiceFactory()
    eservice.orders.add(order)

    order.number = "2026-0000004"
    order.save()

    assert OrderPart.objects.get(pk=part.pk).order_number == "2026-0000004"
    assert EService.objects.get(pk=eservice.pk).order_key == "2026-0000004"


@pytest.mark.django_db
def test_status_label_and_service_keys_follow_changes():
    eservice = EServiceFactory(label="Ēka")
    change_eservice_status(eservice, EServiceStatus.PROCESSING)
    part = OrderPartFactory()
    change_order_part_status(part, OrderStatus.REGISTERED)
    service = Service.objects.get(code="kadastra-info-ipasums")
    Service.objects.filter(pk=service.pk).update(name_rank=99)
    refresh_service_ranks()

    row = EService.objects.get(pk=eservice.pk)
    assert row.status_rank == 2
    assert row.label_key == latvian_sort_string("Ēka")
    assert row.service_rank == 99
    assert OrderPart.objects.get(pk=part.pk).status_rank == 2


def test_latvian_sort_string_orders_like_the_alphabet():
    words = ["Zeme", "Šķūnis", "Sēta", "Čiekurs", "Ceļš", "Āra", "Ara", "ābele", "2. māja"]

    ranked = sorted(words, key=latvian_sort_string)

    assert ranked == ["2. māja", "ābele", "Ara", "Āra", "Ceļš", "Čiekurs", "Sēta", "Šķūnis", "Zeme"]
