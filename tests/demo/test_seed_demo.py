import pytest
from django.core.management import call_command

from accounts.models import Client, Membership, User
from billing.services import PaymentState, order_payment_state
from documents.models import Document
from eservices.models import EService, EServiceStatus
from orders.models import Order, OrderPart
from orders.workflow import OrderStatus


@pytest.mark.django_db
def test_demo_data_covers_every_status_and_payment_state_and_is_idempotent():
    call_command("seed_demo")
    counts = (
        User.objects.count(),
        EService.objects.count(),
        OrderPart.objects.count(),
        Document.objects.count(),
    )

    call_command("seed_demo")

    assert (
        User.objects.count(),
        EService.objects.count(),
        OrderPart.objects.count(),
        Document.objects.count(),
    ) == counts
    assert set(OrderPart.objects.values_list("status", flat=True)) == set(OrderStatus.values)
    assert set(EService.objects.values_list("status", flat=True)) == set(EServiceStatus.values)
    states = {order_payment_state(order).state for order in Order.objects.all()}
    assert {PaymentState.PAID, PaymentState.PARTLY_PAID, PaymentState.UNPAID} <= states
    legal = Client.objects.get(registration_number="40003517893")
    assert Membership.objects.filter(client=legal).count() == 3
    assert Document.objects.filter(deleted_at__isnull=False).exists()
    assert Document.objects.filter(eservice__isnull=False, deleted_at__isnull=True).count() > 0


@pytest.mark.django_db
def test_demo_scale_adds_bulk_rows_for_the_big_legal_person():
    call_command("seed_demo", scale=500, scale_clients=10)

    legal = Client.objects.get(registration_number="40003517893")
    assert Order.objects.filter(number__startswith="B").count() == 500
    assert EService.objects.filter(client=legal).count() >= 100
    assert OrderPart.objects.filter(order__number__startswith="B").count() == 500
