"""Clerks change statuses in the admin, one or many, always through the workflow."""

import pytest
from django.urls import reverse

from orders.models import OrderPart, OrderPartStatusChange
from orders.workflow import OrderStatus
from tests.factories import OrderPartFactory


@pytest.fixture
def admin_http(client, clerk):
    client.force_login(clerk)
    return client


def bulk_change(http, parts, new_status, note=""):
    return http.post(
        reverse("admin:orders_orderpart_changelist"),
        {
            "action": "change_status",
            "_selected_action": [p.pk for p in parts],
            "apply": "1",
            "new_status": new_status,
            "note": note,
        },
        follow=True,
    )


@pytest.mark.django_db
def test_bulk_status_action_asks_for_the_status_first(admin_http):
    part = OrderPartFactory(status=OrderStatus.REGISTERED)

    response = admin_http.post(
        reverse("admin:orders_orderpart_changelist"),
        {"action": "change_status", "_selected_action": [part.pk]},
    )

    assert response.status_code == 200
    assert "Jaunais statuss" in response.content.decode()
    part.refresh_from_db()
    assert part.status == OrderStatus.REGISTERED


@pytest.mark.django_db
def test_bulk_status_action_changes_legal_ones_and_refuses_illegal_ones(admin_http, clerk):
    movable = OrderPartFactory(status=OrderStatus.REGISTERED)
    final = OrderPartFactory(status=OrderStatus.COMPLETED)

    response = bulk_change(admin_http, [movable, final], OrderStatus.IN_PROGRESS, note="sākts")

    movable.refresh_from_db()
    final.refresh_from_db()
    assert movable.status == OrderStatus.IN_PROGRESS
    assert final.status == OrderStatus.COMPLETED
    change = OrderPartStatusChange.objects.get(part=movable)
    assert (change.changed_by, change.note) == (clerk, "sākts")
    page = response.content.decode()
    assert "Statuss mainīts: 1." in page
    assert "Tas ir gala statuss, to vairs nevar mainīt." in page


@pytest.mark.django_db
def test_change_form_offers_only_legal_next_statuses_and_applies_one(admin_http, clerk):
    part = OrderPartFactory(status=OrderStatus.APPLIED)
    url = reverse("admin:orders_orderpart_change", args=[part.pk])

    form_page = admin_http.get(url)
    page = form_page.content.decode()
    assert 'value="registered"' in page
    assert 'value="completed"' not in page
    inlines = {}
    for inline in form_page.context["inline_admin_formsets"]:
        prefix, management = inline.formset.prefix, inline.formset.management_form
        inlines[f"{prefix}-TOTAL_FORMS"] = management["TOTAL_FORMS"].value()
        inlines[f"{prefix}-INITIAL_FORMS"] = management["INITIAL_FORMS"].value()

    response = admin_http.post(
        url,
        {
            "order": part.order.pk,
            "part_number": part.part_number,
            "service": part.service.pk,
            "object_code": part.object_code,
            "delivery_method": part.delivery_method,
            "new_status": OrderStatus.REGISTERED,
            **inlines,
        },
    )

    assert response.status_code == 302
    part.refresh_from_db()
    assert part.status == OrderStatus.REGISTERED
    assert OrderPartStatusChange.objects.get(part=part).changed_by == clerk


@pytest.mark.django_db
def test_admin_search_finds_a_part_by_grouped_cadastral_designation(admin_http):
    wanted = OrderPartFactory(object_code="13000263302")
    OrderPartFactory(object_code="01000010001")

    response = admin_http.get(reverse("admin:orders_orderpart_changelist"), {"q": "1300 026 3302"})

    assert list(response.context["cl"].queryset) == [wanted]


@pytest.mark.django_db
def test_a_client_without_staff_rights_cannot_open_the_admin(client, owner):
    client.force_login(owner)

    response = client.get(reverse("admin:orders_orderpart_changelist"))

    assert response.status_code == 302
    assert OrderPart.objects.count() == 0
