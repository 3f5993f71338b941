"""A cursor belongs to one list in one order: the next page's cursor of one list is refused on
another list, and on the same list in another sort — on the pages with the "not valid" notice and
the first page, in the API as 400 invalid_cursor — never a page from a position that means nothing
there."""

from __future__ import annotations

import pytest

from notifications.models import Notification
from notifications.services import notify
from tests.api.helpers import api_get, make_token
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(owner_client):
    for _ in range(25):
        EServiceFactory(client=owner_client)
        order = OrderFactory(client=owner_client)
        OrderPartFactory(order=order, client=owner_client)
        notify(owner_client, Notification.Kind.STATUS, "Statuss mainīts", "Teksts.", "/mans-konts/")


def next_cursor(token, path):
    answer = api_get(token, path)
    assert answer.status_code == 200, answer.content
    cursor = answer.json()["next_cursor"]
    assert cursor
    return cursor


def test_a_cursor_of_one_list_is_400_on_another(owner, owner_client, many):
    token = make_token(owner_client, owner)
    eservices = next_cursor(token, "/api/v1/eservices")
    parts = next_cursor(token, "/api/v1/order-parts")

    for path, cursor in (
        ("/api/v1/order-parts", eservices),
        ("/api/v1/eservices", parts),
        ("/api/v1/notifications", eservices),
    ):
        answer = api_get(token, f"{path}?cursor={cursor}")
        assert answer.status_code == 400, (path, answer.content)
        assert answer.json()["code"] == "invalid_cursor"

    assert api_get(token, f"/api/v1/eservices?cursor={eservices}").status_code == 200


def test_a_cursor_of_another_sort_is_400(owner, owner_client, many):
    token = make_token(owner_client, owner)
    by_created = next_cursor(token, "/api/v1/eservices?sort=-created")

    for sort in ("created", "-changed", "service"):
        answer = api_get(token, f"/api/v1/eservices?sort={sort}&cursor={by_created}")
        assert answer.status_code == 400, (sort, answer.content)
        assert answer.json()["code"] == "invalid_cursor"

    same = api_get(token, f"/api/v1/eservices?sort=-created&cursor={by_created}")
    assert same.status_code == 200


def test_the_page_shows_the_first_page_with_a_notice_for_another_lists_cursor(
    signed_in, owner, owner_client, many
):
    token = make_token(owner_client, owner)
    parts = next_cursor(token, "/api/v1/order-parts")

    response = signed_in(owner).get("/mans-konts/e-pakalpojumi/", {"cursor": parts})

    assert response.status_code == 200
    assert "Lapas saite nav derīga; parādīta pirmā lapa." in response.content.decode()
    assert response.context["page"].number == 1
