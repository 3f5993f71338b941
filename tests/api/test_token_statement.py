"""A legal person's token is read in one statement with what its requests need: whether its maker
is still the administrator (checked on every request, even if the revoking receiver was missed)
and the legal person's users for the user filter — so a list costs two queries, as its page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from tests.api.helpers import api_get, make_token
from tests.factories import EServiceFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_list_costs_the_token_and_the_rows(legal, legal_admin):
    colleague = MembershipFactory(client=legal, role=Membership.Role.USER).user
    EServiceFactory(client=legal, requested_by=colleague)
    token = make_token(legal, legal_admin)
    # The first call records "last used" (at most once a minute) and fills the service groups'
    # cache; the next ones are what a system polling the list pays.
    api_get(token, "/api/v1/eservices")

    with CaptureQueriesContext(connection) as queries:
        answer = api_get(token, f"/api/v1/eservices?user={colleague.pk}")

    assert answer.status_code == 200
    assert [item["id"] for item in answer.json()["items"]]
    assert len(queries) == 2, [q["sql"][:80] for q in queries]


def test_the_user_filter_offers_the_legal_persons_users_only(legal, legal_admin, outsider):
    token = make_token(legal, legal_admin)

    answer = api_get(token, f"/api/v1/eservices?user={outsider.pk}")

    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_filter"


def test_a_maker_no_longer_administrator_is_refused_even_if_the_receiver_missed_it(
    legal, legal_admin
):
    token = make_token(legal, legal_admin)
    assert api_get(token, "/api/v1/eservices").status_code == 200

    # A change the membership signals never saw (api/receivers.py revokes on them).
    Membership.objects.filter(client=legal, user=legal_admin).update(role=Membership.Role.USER)

    answer = api_get(token, "/api/v1/eservices")
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_revoked"
