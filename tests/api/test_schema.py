"""schemathesis against the API's own schema, in the ordinary test run: every operation called with
generated parameters (bounded examples) by a client with data, through the real WSGI stack. Zero
5xx, and every answer inside the schema: its status documented, its content type, its headers
and its body as declared."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import BackOfficeScope, Scope
from api.service_accounts import create_account, issue_access_token
from api.v1 import api
from conversations.services import post_message
from manskonts.wsgi import application
from requisitions.services import ItemSpec, raise_request
from tests.api.helpers import make_token
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
    StaffFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def keep_the_tests_connection(db):
    # The WSGI app closes the database connection after each request, as in production; Django's
    # own test client stops that (the test's transaction lives on that connection), so do we.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(keep_the_tests_connection, owner, owner_client):
    """A client with a little of everything: a paid and an unpaid order, files, e-services."""
    for paid in (True, False):
        order = OrderFactory(client=owner_client)
        part = OrderPartFactory(order=order, part_number=1)
        EServiceFactory(client=owner_client, requested_by=owner).orders.add(order)
        invoice = InvoiceFactory(order=order, client=owner_client)
        if paid:
            PaymentFactory(invoice=invoice, amount=invoice.total)
        DocumentFactory(order_part=part)
        post_message(order, by=owner, text="Kad būs gatavs?", from_staff=False)
        items = [ItemSpec("Plāns"), ItemSpec("Tālrunis", "information")]
        raise_request(part, items, "Vajag.", by=None, suspend=False)
    return make_token(owner_client, owner, scopes=list(Scope))


# The document /api/v1/openapi.json serves (test_protocol.py fetches and validates it), called
# through the whole WSGI stack, middleware included.
full_schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
full_schema.app = application
# The client API with a client's token; the back-office operations with a service account's.
schema = full_schema.exclude(tag="back-office")
backoffice_schema = full_schema.include(tag="back-office")


@pytest.fixture
def service_token(keep_the_tests_connection, owner_client):
    """A service account's access token, and an order of the owner's to act on."""
    superuser = StaffFactory(is_superuser=True)
    account, secret = create_account(
        name="Lietu sistēma", scopes=list(BackOfficeScope), by=superuser
    )
    OrderPartFactory(order=OrderFactory(client=owner_client, number="2026-0000001"), part_number=1)
    _token, raw = issue_access_token(account.client_id, secret)
    return raw


@backoffice_schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,  # the same examples every run: CI never turns on a lucky or unlucky draw
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_back_office_answer_is_inside_the_schema(case, service_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {service_token}"}, checks=CHECKS)


@schema.parametrize()
@settings(
    max_examples=10,
    derandomize=True,  # the same examples every run: CI never turns on a lucky or unlucky draw
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_is_inside_the_schema(case, api_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_token}"}, checks=CHECKS)
