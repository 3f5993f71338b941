"""The clerk's desk on the admin's start page: what needs action now, each a count linking to the
list filtered to exactly those rows, and only for lists the staff member may view."""

from datetime import timedelta
from decimal import Decimal

import lxml.html
import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import ACCOUNT_REVIEWER, ACCOUNTANT, CLERK, CLIENT_CONTACT
from billing.models import Overpayment
from documents.models import Document
from orders.workflow import OrderStatus
from tests.factories import DocumentFactory, InvoiceFactory, OrderPartFactory, StaffFactory

ORDER_ITEMS = {"applied", "past_planned_date", "issuing_without_result"}


def desk(http) -> dict[str, tuple[int, str]]:
    page = lxml.html.fromstring(http.get(reverse("admin:index")).content.decode())
    return {
        row.get("data-desk"): (int(row.xpath("td/a")[0].text), row.xpath("td/a")[0].get("href"))
        for row in page.xpath("//div[@id='desk']//tr")
    }


@pytest.fixture
def work(db):
    yesterday = timezone.localdate() - timedelta(days=1)
    OrderPartFactory.create_batch(2, status=OrderStatus.APPLIED)
    OrderPartFactory(status=OrderStatus.IN_PROGRESS, planned_completion_date=yesterday)
    OrderPartFactory(status=OrderStatus.COMPLETED, planned_completion_date=yesterday)
    OrderPartFactory(status=OrderStatus.IN_PROGRESS, planned_completion_date=timezone.localdate())
    OrderPartFactory(status=OrderStatus.ISSUING)
    with_result = OrderPartFactory(status=OrderStatus.ISSUING)
    DocumentFactory(order_part=with_result, direction=Document.Direction.RESULT)
    Overpayment.objects.create(
        invoice=InvoiceFactory(), amount=Decimal("5.00"), source="treasury", external_id="o-1"
    )
    # An unpaid prepayment invoice past its due date (the one above is due in 10 days).
    InvoiceFactory(issued_on=yesterday - timedelta(days=10), due_on=yesterday)


def staff_with(role):
    user = StaffFactory()
    user.groups.set([Group.objects.get(name=role)])
    return user


@pytest.mark.django_db
def test_superuser_desk_counts_each_item_and_links_to_exactly_those_rows(client, work):
    client.force_login(StaffFactory(is_superuser=True))

    lines = desk(client)

    assert {key: count for key, (count, _url) in lines.items()} == {
        "applied": 2,
        "legal_person_applications": 0,
        "past_planned_date": 1,
        "issuing_without_result": 1,
        "unmatched_entries": 0,
        "overpayments_to_refund": 1,
        "failed_exports": 0,
        "requests_answered": 0,
        "requests_past_deadline": 0,
        "prepayments_past_due": 1,
        "messages_unanswered": 0,
    }
    for key, (count, url) in lines.items():
        response = client.get(url)
        assert response.status_code == 200, key
        assert response.context["cl"].result_count == count, key


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "keys"),
    [
        (CLERK, ORDER_ITEMS | {"overpayments_to_refund", "prepayments_past_due"}),
        (
            ACCOUNTANT,
            ORDER_ITEMS | {"unmatched_entries", "overpayments_to_refund", "prepayments_past_due"},
        ),
        (ACCOUNT_REVIEWER, {"legal_person_applications"}),
        (
            CLIENT_CONTACT,
            ORDER_ITEMS | {"requests_answered", "requests_past_deadline", "messages_unanswered"},
        ),
    ],
)
def test_desk_shows_only_the_lists_the_role_may_view(client, work, role, keys):
    client.force_login(staff_with(role))

    lines = desk(client)

    assert set(lines) == keys
    for _count, url in lines.values():
        assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_desk_link_to_order_parts_keeps_its_filter(client, work):
    client.force_login(staff_with(CLERK))

    count, url = desk(client)["past_planned_date"]

    assert url == reverse("admin:orders_orderpart_changelist") + "?jadara=kavets"
    assert count == 1
