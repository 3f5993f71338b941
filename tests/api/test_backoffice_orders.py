"""An order moved to another client through the back-office API: the same move and history
record as the admin's „Mainīt klientu” (parts, invoices, the previous client's links), audited
under the service account's user; a reason required, the same client 409, a replay once."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from api.models import BackOfficeScope
from billing.models import Invoice
from notifications.models import Notification
from orders.models import Order, OrderClientChange, OrderPart
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import make_token
from tests.factories import (
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
)

pytestmark = pytest.mark.django_db

REASON = "Reģistrēts nepareizam klientam"


def registered_by_mistake(client, person, number):
    """An order of `client` with a part, an invoice, its e-service and a notice about it."""
    order = OrderFactory(client=client, number=number)
    OrderPartFactory(order=order, part_number=1)
    InvoiceFactory(order=order, client=client)
    EServiceFactory(client=client, requested_by=person).orders.add(order)
    Notification.objects.create(
        client=client,
        recipient=person,
        kind=Notification.Kind.STATUS,
        subject=f"Pasūtījums {number}",
        body="…",
        link=reverse("orders:detail", args=[number]),
    )
    return order


def moved_to(legal):
    return {"client": {"registration_number": legal.registration_number}, "reason": REASON}


def test_the_order_moves_as_the_admins_change_client_moves_it(
    account, token, clerk, owner, owner_client, legal
):
    by_api = registered_by_mistake(owner_client, owner, "2026-7200001")
    by_admin = registered_by_mistake(owner_client, owner, "2026-7200002")
    admin = HttpClient()
    admin.force_login(clerk)
    notices = Notification.objects.count()

    page = admin.post(
        reverse("admin:orders_order_change_client", args=[by_admin.pk]),
        {"new_client": legal.pk, "reason": REASON},
    )
    response = call("post", token, "/api/v1/backoffice/orders/2026-7200001/client", moved_to(legal))

    assert page.status_code == 302
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["from_client_id"], body["to_client_id"], body["reason"]) == (
        owner_client.pk,
        legal.pk,
        REASON,
    )
    records = {
        r.order.number: r for r in OrderClientChange.objects.select_related("order").order_by("pk")
    }
    api_record, admin_record = records["2026-7200001"], records["2026-7200002"]
    fields = ("from_client_id", "to_client_id", "reason", "moved_parts", "moved_invoices")
    assert [getattr(api_record, f) for f in fields] == [getattr(admin_record, f) for f in fields]
    assert len(api_record.unlinked_eservices) == len(admin_record.unlinked_eservices) == 1
    # The move's own record is its audit trail (tests/manskonts/test_audit.py, NOT_AUDITED):
    # who moved it is the account's user, as the admin's is the clerk.
    assert (api_record.changed_by_id, admin_record.changed_by_id) == (account.user_id, clerk.pk)
    for order in (by_api, by_admin):
        assert Order.objects.get(pk=order.pk).client_id == legal.pk
        assert set(OrderPart.objects.filter(order=order).values_list("client", flat=True)) == {
            legal.pk
        }
        assert Invoice.objects.get(order=order).client_id == legal.pk
    assert Notification.objects.count() == notices  # neither tells anyone anything new
    assert set(Notification.objects.values_list("link", flat=True)) == {""}


def test_a_blank_reason_is_400_and_the_same_client_409(token, owner, owner_client, legal):
    registered_by_mistake(owner_client, owner, "2026-7200001")
    path = "/api/v1/backoffice/orders/2026-7200001/client"

    blank = call("post", token, path, {**moved_to(legal), "reason": "   "})
    same = call(
        "post",
        token,
        path,
        {"client": {"personal_code": owner.personal_code}, "reason": REASON},
    )
    unknown = call(
        "post", token, path, {"client": {"registration_number": "40000000000"}, "reason": REASON}
    )

    assert blank.status_code == 400
    assert blank.json()["detail"] == "Norādiet klienta maiņas iemeslu."
    assert same.status_code == 409
    assert same.json()["code"] == "same_client"
    assert same.json()["detail"] == "Pasūtījums jau pieder šim klientam."
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_client"
    assert not OrderClientChange.objects.exists()


def test_a_replayed_change_moves_once(token, owner, owner_client, legal):
    registered_by_mistake(owner_client, owner, "2026-7200001")
    path = "/api/v1/backoffice/orders/2026-7200001/client"

    first = call("post", token, path, moved_to(legal), key="move-1")
    again = call("post", token, path, moved_to(legal), key="move-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert OrderClientChange.objects.count() == 1


def test_without_orders_write_403_a_clients_token_401_an_unknown_order_404(
    superuser, token, owner, owner_client, legal
):
    registered_by_mistake(owner_client, owner, "2026-7200001")
    path = "/api/v1/backoffice/orders/2026-7200001/client"
    results_only = access_token(make_account(superuser, [BackOfficeScope.RESULTS_WRITE], "Cits"))

    refused = call("post", results_only, path, moved_to(legal))
    clients = call("post", make_token(owner_client, owner), path, moved_to(legal))
    unknown = call("post", token, "/api/v1/backoffice/orders/2026-7299999/client", moved_to(legal))

    assert refused.status_code == 403
    assert refused.json()["scope"] == "orders:write"
    assert clients.status_code == 401
    assert unknown.status_code == 404
    assert Order.objects.get(number="2026-7200001").client_id == owner_client.pk
