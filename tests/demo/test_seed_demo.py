import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Client, Membership, User
from billing.services import PaymentState, order_payment_state
from conversations.models import Message, Thread
from documents.access import result_download_decision
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
    from django.db import connection

    from demo.management.commands.seed_demo import BULK_TABLES

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY indexdef",
                [list(BULK_TABLES)],
            )
            return [row[0] for row in cursor.fetchall()]

    before = indexes()
    call_command("seed_demo", scale=500, scale_clients=10)

    # The indexes dropped for the bulk insert are all back; every part has its status's rank.
    assert indexes() == before
    assert not OrderPart.objects.filter(status_rank=0).exists()

    legal = Client.objects.get(registration_number="40003517893")
    assert Order.objects.filter(number__startswith="B").count() == 500
    assert EService.objects.filter(client=legal).count() >= 100
    assert OrderPart.objects.filter(order__number__startswith="B").count() == 500


@pytest.mark.django_db
def test_anna_shows_a_paid_result_a_partly_paid_order_and_a_suspended_one():
    call_command("seed_demo")
    anna = Client.objects.get(person__personal_code="12058512340")
    orders = list(Order.objects.filter(client=anna))

    downloadable = [
        part
        for order in orders
        for part in order.parts.all()
        if result_download_decision(part).allowed
        and part.documents.filter(direction="result", deleted_at__isnull=True).exists()
    ]
    assert downloadable
    assert PaymentState.PARTLY_PAID in {order_payment_state(order).state for order in orders}
    assert OrderPart.objects.filter(order__client=anna, status=OrderStatus.SUSPENDED).exists()


@pytest.mark.django_db
def test_orders_with_results_issued_or_completed_are_paid():
    call_command("seed_demo")
    done = Order.objects.filter(
        parts__status__in=[OrderStatus.ISSUING, OrderStatus.COMPLETED]
    ).distinct()

    assert done.exists()
    assert {order.number: order_payment_state(order).paid_in_full for order in done} == {
        order.number: True for order in done
    }


@pytest.mark.django_db
def test_janis_signs_in_to_the_legal_person_he_works_for_not_an_empty_account(client):
    call_command("seed_demo")

    client.post(reverse("accounts:demo_login"), {"person": "03039214561"})
    response = client.get(reverse("overview"))

    assert response.context["active_client"].registration_number == "40003517893"


@pytest.mark.django_db
def test_anna_has_a_conversation_with_an_unread_answer_and_one_waiting_for_vzd(client):
    call_command("seed_demo")
    call_command("seed_demo")  # once only
    anna = User.objects.get(personal_code="12058512340")
    threads = Thread.objects.filter(client__person=anna).order_by("order__number")

    assert [t.status for t in threads] == [Thread.Status.ANSWERED, Thread.Status.WAITING]
    assert Message.objects.filter(thread__in=threads).count() == 3
    assert threads[0].messages.get(from_staff=False).attachments.count() == 1
    client.force_login(anna)
    page = client.get(reverse("orders:detail", args=[threads[0].order.number]))
    assert "VZD — Dace" in page.content.decode()


@pytest.mark.django_db
def test_anna_has_an_open_request_with_two_points_awaiting_her():
    from requisitions.models import Request
    from requisitions.workflow import RequestState

    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: still one
    anna = Client.objects.get(person__personal_code="12058512340")
    request = Request.objects.get(order_part__client=anna)
    assert request.state == RequestState.OPEN
    assert request.items.count() == 2
    assert request.order_part.status == OrderStatus.SUSPENDED
    assert request.order_part.awaiting_reply
