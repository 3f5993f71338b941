"""The admin in written Latvian: status history by its labels, refusals naming statuses."""

import pytest
from django.urls import reverse

from eservices.models import ESERVICE_TRANSITIONS, EServiceStatus, EServiceStatusChange
from eservices.services import change_eservice_status
from orders.models import OrderPartStatusChange
from orders.services import change_order_part_status
from orders.workflow import OrderStatus
from tests.factories import EServiceFactory, OrderPartFactory


@pytest.mark.django_db
def test_order_part_status_history_rows_are_titled_by_labels(clerk):
    part = OrderPartFactory(status=OrderStatus.APPLIED)
    change_order_part_status(part, OrderStatus.REGISTERED, by=clerk)

    change = OrderPartStatusChange.objects.get(part=part)

    assert str(change) == f"{OrderStatus.APPLIED.label} → {OrderStatus.REGISTERED.label}"
    assert "applied" not in str(change)


@pytest.mark.django_db
def test_eservice_status_history_rows_are_titled_by_labels(clerk):
    eservice = EServiceFactory()
    old = eservice.status
    new = sorted(ESERVICE_TRANSITIONS[old])[0]
    change_eservice_status(eservice, new, by=clerk)

    change = EServiceStatusChange.objects.get(eservice=eservice)

    assert str(change) == f"{EServiceStatus(old).label} → {EServiceStatus(new).label}"


@pytest.mark.django_db
def test_status_no_longer_allowed_is_refused_naming_both_statuses_by_label(client, clerk):
    """The page was opened while the part was "applied"; a colleague completed it meanwhile."""
    part = OrderPartFactory(status=OrderStatus.COMPLETED)
    client.force_login(clerk)

    response = client.post(
        reverse("admin:orders_orderpart_change", args=[part.pk]),
        {
            "order": part.order.pk,
            "part_number": part.part_number,
            "service": part.service.pk,
            "object_code": part.object_code,
            "delivery_method": part.delivery_method,
            "new_status": OrderStatus.REGISTERED,
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["new_status"]
    assert errors == [
        f"Statusu „{OrderStatus.COMPLETED.label}” nevar mainīt uz „"
        f"{OrderStatus.REGISTERED.label}”. Tas ir gala statuss, to vairs nevar mainīt."
    ]
