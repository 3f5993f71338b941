"""An order moved to another client in the admin takes its parts, invoices, documents and results
with it, on the record; the previous client then gets a 404 on every one of them."""

from __future__ import annotations

import threading
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from billing.models import Invoice, Payment, PaymentAttempt
from billing.portal_payments import start_attempt
from documents.models import Document
from eservices.models import EService
from notifications.models import Notification
from orders.models import ClientChangeRefused, Order, OrderClientChange, OrderPart
from orders.services import change_order_client
from tests.billing.helpers import SECRET, deliver, event_body, signed_headers
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    LegalClientFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
    StaffFactory,
    UserFactory,
    own_client,
)


class FormFields(HTMLParser):
    """The values a browser would submit for the form with this id, as a dict of lists."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.select, self.textarea = form_id, False, None, None
        self.data: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or ("name" not in a and tag in ("input", "select", "textarea")):
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data.setdefault(a["name"], []).append(a.get("value") or "")
        elif tag == "select":
            self.select = a["name"]
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select].append(a.get("value") or "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[self.textarea] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def change_form_data(http, order) -> dict:
    page = http.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert page.status_code == 200
    parser = FormFields("order_form")
    parser.feed(page.content.decode())
    return {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}


@pytest.fixture
def admin_http(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def previous(db):
    """The client the order was registered to by mistake, with one of its people."""
    person = UserFactory(first_name="Anna", last_name="Bērziņa")
    return own_client(person), person


@pytest.fixture
def new(legal, legal_admin):
    return legal, legal_admin


@pytest.fixture
def order(previous):
    """A paid order with a result "VZD kontā", a submitted file, an e-service of the previous
    client linked to it and a notification about it."""
    client, person = previous
    order = OrderFactory(client=client)
    part = OrderPartFactory(order=order)
    invoice = InvoiceFactory(order=order)
    PaymentFactory(invoice=invoice)
    DocumentFactory(order_part=part, direction=Document.Direction.RESULT)
    DocumentFactory(order_part=part, direction=Document.Direction.SUBMITTED)
    eservice = EServiceFactory(client=client, requested_by=person)
    eservice.orders.add(order)
    Notification.objects.create(
        client=client,
        recipient=person,
        kind=Notification.Kind.RESULT,
        subject=f"Pasūtījumam {order.number} pievienots rezultāts",
        body="…",
        link=reverse("orders:detail", args=[order.number]),
    )
    return order


def order_urls(order) -> dict[str, str]:
    """Every page of this order a client could ask for."""
    part = order.parts.get()
    invoice = Invoice.objects.get(order=order)
    result = Document.objects.get(order_part=part, direction=Document.Direction.RESULT)
    submitted = Document.objects.get(order_part=part, direction=Document.Direction.SUBMITTED)
    return {
        "order": reverse("orders:detail", args=[order.number]),
        "invoice": reverse("billing:invoice_detail", args=[invoice.number]),
        "invoice print": reverse("billing:invoice_print", args=[invoice.number]),
        "result": reverse("documents:download", args=[result.pk]),
        "submitted file": reverse("documents:download", args=[submitted.pk]),
        "results zip": reverse("documents:results_zip", args=[order.number]),
    }


def statuses(http, order) -> dict[str, int]:
    return {name: http.get(url).status_code for name, url in order_urls(order).items()}


def listed(http, order) -> dict[str, bool]:
    """Whether the order shows in the client's lists (order parts, invoices)."""
    invoice = Invoice.objects.get(order=order)
    return {
        "orders list": order.number in http.get(reverse("orders:list")).content.decode(),
        "invoice list": invoice.number
        in http.get(reverse("billing:invoice_list")).content.decode(),
    }


ALL_404 = dict.fromkeys(
    ["order", "invoice", "invoice print", "result", "submitted file", "results zip"], 404
)
ALL_200 = dict.fromkeys(ALL_404, 200)


def copies_of_client(order) -> set[int]:
    """Every row that holds the order's client: one value when nothing has drifted."""
    order.refresh_from_db()
    return {
        order.client_id,
        *OrderPart.objects.filter(order=order).values_list("client_id", flat=True),
        *Invoice.objects.filter(order=order).values_list("client_id", flat=True),
    }


@pytest.mark.django_db
def test_the_change_form_cannot_move_an_order_to_another_client_by_itself(
    admin_http, signed_in, order, previous, new
):
    # The attack of the issue: edit the client on the order's change form and save.
    old_client, old_person = previous
    new_client, new_admin = new
    data = change_form_data(admin_http, order)
    data["client"] = str(new_client.pk)

    response = admin_http.post(reverse("admin:orders_order_change", args=[order.pk]), data)

    assert response.status_code == 302
    # Nothing drifted apart: the order and all its copies still name one client, the previous.
    assert copies_of_client(order) == {old_client.pk}
    assert statuses(signed_in(old_person, old_client), order) == ALL_200
    assert statuses(signed_in(new_admin, new_client), order) == ALL_404


@pytest.mark.django_db
def test_change_client_moves_everything_and_the_previous_client_gets_404(
    admin_http, clerk, signed_in, order, previous, new
):
    old_client, old_person = previous
    new_client, new_admin = new
    eservice = EService.objects.get(client=old_client)
    old_http, new_http = signed_in(old_person, old_client), signed_in(new_admin, new_client)
    assert statuses(old_http, order) == ALL_200

    change_page = admin_http.get(reverse("admin:orders_order_change", args=[order.pk]))
    form_page = admin_http.get(reverse("admin:orders_order_change_client", args=[order.pk]))
    found = admin_http.get(
        reverse("admin:autocomplete"),
        {"app_label": "orders", "model_name": "order", "field_name": "client", "term": "Zemes"},
    )

    response = admin_http.post(
        reverse("admin:orders_order_change_client", args=[order.pk]),
        {"new_client": new_client.pk, "reason": "Reģistrēts nepareizam klientam"},
        follow=True,
    )

    assert reverse("admin:orders_order_change_client", args=[order.pk]) in (
        change_page.content.decode()
    )
    assert form_page.status_code == 200
    assert str(old_client) in form_page.content.decode()
    assert [r["id"] for r in found.json()["results"]] == [str(new_client.pk)]

    assert response.status_code == 200
    assert "Klients mainīts: 1." in response.content.decode()
    assert copies_of_client(order) == {new_client.pk}
    assert statuses(old_http, order) == ALL_404
    assert listed(old_http, order) == {"orders list": False, "invoice list": False}
    assert statuses(new_http, order) == ALL_200
    assert listed(new_http, order) == {"orders list": True, "invoice list": True}
    # The previous client's e-service stays theirs, no longer linked to the order.
    assert old_http.get(reverse("eservices:detail", args=[eservice.pk])).status_code == 200
    assert list(eservice.orders.all()) == []
    assert new_http.get(reverse("eservices:detail", args=[eservice.pk])).status_code == 404
    # Their notification keeps its text, without a link to what is no longer theirs.
    notification = Notification.objects.get(client=old_client)
    assert (notification.subject, notification.link) == (
        f"Pasūtījumam {order.number} pievienots rezultāts",
        "",
    )
    record = OrderClientChange.objects.get(order=order)
    assert (
        record.from_client,
        record.to_client,
        record.changed_by,
        record.reason,
        record.moved_parts,
        record.moved_invoices,
        record.unlinked_eservices,
    ) == (old_client, new_client, clerk, "Reģistrēts nepareizam klientam", 1, 1, [eservice.pk])
    change_page = admin_http.get(reverse("admin:orders_order_change", args=[order.pk]))
    assert "Reģistrēts nepareizam klientam" in change_page.content.decode()


@pytest.mark.django_db
def test_the_new_client_may_download_the_paid_result(admin_http, signed_in, order, new):
    new_client, new_admin = new
    result = Document.objects.get(order_part__order=order, direction=Document.Direction.RESULT)

    change_order_client(order, new_client, by=None, reason="Pārreģistrēts")
    response = signed_in(new_admin, new_client).get(reverse("documents:download", args=[result.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.django_db
def test_change_client_action_moves_each_chosen_order(admin_http, previous, new):
    old_client, _person = previous
    new_client, _admin = new
    orders = [OrderFactory(client=old_client) for _ in range(2)]
    for order in orders:
        OrderPartFactory(order=order)
        InvoiceFactory(order=order)
    changelist = reverse("admin:orders_order_changelist")
    ids = [o.pk for o in orders]

    ask = admin_http.post(changelist, {"action": "change_client", "_selected_action": ids})
    done = admin_http.post(
        changelist,
        {
            "action": "change_client",
            "_selected_action": ids,
            "apply": "1",
            "new_client": new_client.pk,
            "reason": "Apvienoti klienti",
        },
        follow=True,
    )

    assert ask.status_code == 200
    assert "Jaunais klients" in ask.content.decode()
    assert "Klients mainīts: 2." in done.content.decode()
    assert [copies_of_client(o) for o in orders] == [{new_client.pk}, {new_client.pk}]
    assert OrderClientChange.objects.filter(order__in=orders, to_client=new_client).count() == 2


@pytest.mark.django_db
def test_change_client_needs_a_reason_and_another_client(admin_http, order, previous, new):
    old_client, _person = previous
    url = reverse("admin:orders_order_change_client", args=[order.pk])

    no_reason = admin_http.post(url, {"new_client": new[0].pk, "reason": "  "})
    same = admin_http.post(url, {"new_client": old_client.pk, "reason": "Kļūda"})

    assert no_reason.status_code == 200
    assert same.status_code == 200
    assert "Pasūtījums jau pieder šim klientam." in same.content.decode()
    assert copies_of_client(order) == {old_client.pk}
    assert not OrderClientChange.objects.exists()


@pytest.mark.django_db
def test_change_client_page_needs_the_change_permission(client, order, new):
    viewer = StaffFactory()
    client.force_login(viewer)

    response = client.post(
        reverse("admin:orders_order_change_client", args=[order.pk]),
        {"new_client": new[0].pk, "reason": "x"},
    )

    assert response.status_code in (302, 403)
    assert copies_of_client(order) == {order.client_id}


@pytest.mark.django_db
def test_a_plain_save_of_another_client_is_refused(order, new):
    order.client = new[0]

    with pytest.raises(ClientChangeRefused):
        order.save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "move",
    [
        lambda order, to: Order.objects.filter(pk=order.pk).update(client=to),
        lambda order, to: OrderPart.objects.filter(order=order).update(client_id=to.pk),
        lambda order, to: Invoice.objects.filter(order=order).update(client=to),
        lambda order, to: OrderPart.objects.bulk_update(
            [setattr(p, "client", to) or p for p in OrderPart.objects.filter(order=order)],
            ["client"],
        ),
        lambda order, to: Invoice.objects.bulk_update(
            [setattr(i, "client_id", to.pk) or i for i in Invoice.objects.filter(order=order)],
            ["client_id"],
        ),
    ],
    ids=["order-update", "parts-update", "invoices-update", "parts-bulk", "invoices-bulk"],
)
def test_a_bulk_change_of_client_is_refused_and_moves_nothing(order, new, move):
    """A save is guarded by the model; these bulk paths skipped it and split an order's records
    between two clients with no record of who moved them."""
    with pytest.raises(ClientChangeRefused):
        move(order, new[0])

    assert copies_of_client(order) == {order.client_id}
    assert not OrderClientChange.objects.exists()


@pytest.mark.django_db
def test_a_part_saved_from_a_stale_copy_takes_the_orders_client(order, new):
    stale = OrderPart.objects.select_related("order").get(order=order)
    change_order_client(order, new[0], by=None, reason="Pārreģistrēts")

    stale.object_code = "13000263303"
    stale.save()

    assert copies_of_client(order) == {new[0].pk}


@pytest.mark.django_db
def test_a_part_moved_to_another_order_takes_that_orders_client(order, new):
    other = OrderFactory(client=new[0])
    part = order.parts.get()

    part.order = other
    part.save()

    part.refresh_from_db()
    assert part.client_id == new[0].pk
    assert part.order_number == other.number


@pytest.mark.django_db
def test_pending_attempt_of_the_previous_client_is_left_to_finish(
    admin_http, signed_in, settings, order, previous, new
):
    # A second, unpaid invoice: the previous client started paying it before the change.
    old_client, person = previous
    unpaid = InvoiceFactory(order=order, kind="final")
    attempt = start_attempt(old_client, person, [unpaid.number], "demo")
    page = admin_http.get(reverse("admin:orders_order_change_client", args=[order.pk]))
    assert "apmaksa portālā vēl nav pabeigta (1 maksājums)" in page.content.decode()
    http_client = HttpClient()

    change_order_client(order, new[0], by=None, reason="Pārreģistrēts")

    attempt.refresh_from_db()
    assert (attempt.client, attempt.status) == (old_client, PaymentAttempt.Status.PENDING)
    assert Invoice.objects.filter(order=order, client=new[0]).count() == 2

    # The bank confirms afterwards: the money is recorded against the invoice, now the new
    # client's, and the new client sees it paid.
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    body = event_body(attempt, event_id="evt-after-move")
    assert deliver(http_client, body, signed_headers(body)).status_code == 200
    assert Payment.objects.filter(invoice=unpaid).count() == 1
    new_client, new_admin = new
    page = signed_in(new_admin, new_client).get(
        reverse("billing:invoice_detail", args=[unpaid.number])
    )
    assert page.context["invoice"].paid_amount == unpaid.total
    unpaid.refresh_from_db()
    assert unpaid.client == new[0]


@pytest.mark.django_db
def test_eservice_admin_refuses_a_link_to_another_clients_order(admin_http, order, new):
    eservice = EServiceFactory(client=new[0])
    page = admin_http.get(reverse("admin:eservices_eservice_change", args=[eservice.pk]))
    parser = FormFields("eservice_form")
    parser.feed(page.content.decode())
    data = {k: v if len(v) != 1 else v[0] for k, v in parser.data.items()}
    data["orders"] = [str(order.pk)]

    response = admin_http.post(reverse("admin:eservices_eservice_change", args=[eservice.pk]), data)

    assert response.status_code == 200
    assert "Saistīt var tikai šī paša klienta pasūtījumus" in response.content.decode()
    assert list(eservice.orders.all()) == []


@pytest.mark.django_db(transaction=True)
def test_a_part_saved_while_the_order_moves_does_not_write_the_old_client_back(reference_data):
    # Round after round: a clerk saves a part (loaded before) while another moves the order.
    old_client = own_client(UserFactory())
    new_client = LegalClientFactory()
    for round_number in range(20):
        order = OrderFactory(client=old_client if round_number % 2 == 0 else new_client)
        OrderPartFactory(order=order)
        InvoiceFactory(order=order)
        target = new_client if order.client_id == old_client.pk else old_client
        stale = OrderPart.objects.get(order=order)
        barrier = threading.Barrier(2)
        errors: list[str] = []

        def move(order=order, target=target, barrier=barrier, errors=errors):
            try:
                barrier.wait(timeout=10)
                change_order_client(order, target, by=None, reason="Pārreģistrēts")
            except Exception as error:
                errors.append(repr(error))
            finally:
                connection.close()

        def save(stale=stale, barrier=barrier, errors=errors):
            try:
                barrier.wait(timeout=10)
                stale.object_code = "13000263303"
                stale.save()
            except Exception as error:
                errors.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=move), threading.Thread(target=save)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert errors == [], f"round {round_number}"
        assert copies_of_client(order) == {target.pk}, f"round {round_number}"
        assert Order.objects.get(pk=order.pk).client_id == target.pk


@pytest.mark.django_db(transaction=True)
def test_a_payment_confirmed_while_the_order_moves_is_recorded_once(reference_data, settings):
    # The bank confirms the previous client's payment at the moment a clerk moves the order.
    settings.PAYMENT_CALLBACK_SECRET = SECRET
    person = UserFactory()
    old_client, new_client = own_client(person), LegalClientFactory()
    for round_number in range(10):
        order = OrderFactory(client=old_client)
        OrderPartFactory(order=order)
        invoices = [InvoiceFactory(order=order), InvoiceFactory(order=order, kind="final")]
        attempt = start_attempt(old_client, person, [i.number for i in invoices], "demo")
        body = event_body(attempt, event_id=f"evt-move-{round_number}")
        barrier = threading.Barrier(2)
        results: list = []

        def move(order=order, barrier=barrier, results=results):
            try:
                barrier.wait(timeout=10)
                change_order_client(order, new_client, by=None, reason="Pārreģistrēts")
                results.append("moved")
            except Exception as error:
                results.append(repr(error))
            finally:
                connection.close()

        def pay(body=body, barrier=barrier, results=results):
            try:
                http = HttpClient(raise_request_exception=False)
                barrier.wait(timeout=10)
                results.append(deliver(http, body, signed_headers(body)).status_code)
            except Exception as error:
                results.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=move), threading.Thread(target=pay)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

        assert sorted(results, key=str) == [200, "moved"], f"round {round_number}: {results}"
        assert copies_of_client(order) == {new_client.pk}, f"round {round_number}"
        assert [Payment.objects.filter(invoice=i).count() for i in invoices] == [1, 1]
