"""The bulk status action returns to the filtered list it came from, with its message; the order
page's inline parts fit the page."""

import lxml.html
import pytest
from django.contrib import admin
from django.urls import reverse

from orders.models import OrderPart
from orders.workflow import OrderStatus
from tests.factories import OrderPartFactory


def apply_status(http, url, parts, new_status):
    return http.post(
        url,
        {
            "action": "change_status",
            "_selected_action": [p.pk for p in parts],
            "apply": "1",
            "new_status": new_status,
            "note": "",
        },
    )


@pytest.mark.django_db
def test_bulk_status_change_returns_to_the_filtered_sorted_list(client, clerk):
    part = OrderPartFactory(status=OrderStatus.REGISTERED)
    client.force_login(clerk)
    changelist = reverse("admin:orders_orderpart_changelist")
    url = f"{changelist}?status__exact=registered&q=13000263302&o=2"

    response = apply_status(client, url, [part], OrderStatus.IN_PROGRESS)

    assert response.status_code == 302
    assert response["Location"] == url
    page = client.get(response["Location"])
    assert [str(m) for m in page.context["messages"]] == ["Statuss mainīts: 1."]


@pytest.mark.django_db
def test_bulk_status_change_that_empties_the_page_goes_to_the_last_page_left(
    client, clerk, monkeypatch
):
    """Page 3 of "registered" held the one changed part: it no longer exists after the change.
    Django would drop every filter (?e=1, the whole list); the clerk lands on page 2 of it."""
    monkeypatch.setattr(admin.site._registry[OrderPart], "list_per_page", 1)
    parts = OrderPartFactory.create_batch(3, status=OrderStatus.REGISTERED)
    OrderPartFactory(status=OrderStatus.APPLIED)
    client.force_login(clerk)
    changelist = reverse("admin:orders_orderpart_changelist")

    response = apply_status(
        client, f"{changelist}?status__exact=registered&p=3", [parts[0]], OrderStatus.IN_PROGRESS
    )

    assert response["Location"] == f"{changelist}?status__exact=registered&p=2"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["cl"].result_count == 2
    assert [str(m) for m in page.context["messages"]] == ["Statuss mainīts: 1."]


@pytest.mark.django_db
def test_order_page_inline_parts_have_compact_inputs(client, clerk):
    part = OrderPartFactory()
    client.force_login(clerk)

    response = client.get(reverse("admin:orders_order_change", args=[part.order.pk]))

    page = lxml.html.fromstring(response.content.decode())
    number = page.get_element_by_id("id_parts-0-part_number")
    designation = page.get_element_by_id("id_parts-0-object_code")
    assert number.get("class") == "mk-compact-number"
    assert designation.get("size") == "20"
