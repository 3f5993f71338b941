"""Two administrators of one legal person change each other at the same moment, on two
connections to real PostgreSQL: no request fails (the one who lost the race is no longer an
administrator: 403, as a moment later), and the legal person keeps an administrator."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client as HttpClient

from accounts.models import Membership
from tests.conftest import sign_in
from tests.factories import LegalClientFactory, MembershipFactory

USERS = "/mans-konts/lietotaji/"
ROUNDS = 10


def _at_once(*posts: tuple[HttpClient, str, dict]) -> list:
    """POST each (client, url, data) in its own thread and database connection, released
    together by a barrier; the status codes (an exception in a thread is reported as text)."""
    barrier = threading.Barrier(len(posts))
    results: list = []

    def run(post):
        http, url, data = post
        try:
            barrier.wait(timeout=10)
            results.append(http.post(url, data).status_code)
        except Exception as error:
            results.append(f"error: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(post,)) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _http(user, client) -> HttpClient:
    # A 500 comes back as a status code, not as an exception in the thread.
    return sign_in(HttpClient(raise_request_exception=False), user, client)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["demote", "remove"])
def test_two_administrators_changing_each_other_at_once_keep_one_administrator(
    reference_data, action
):
    legal = LegalClientFactory()
    for round_number in range(ROUNDS):
        Membership.objects.filter(client=legal).delete()
        first = MembershipFactory(client=legal, role=Membership.Role.ADMIN)
        second = MembershipFactory(client=legal, role=Membership.Role.ADMIN)
        first_http, second_http = _http(first.user, legal), _http(second.user, legal)

        if action == "demote":
            posts = [
                (first_http, f"{USERS}{second.pk}/loma/", {"role": "user"}),
                (second_http, f"{USERS}{first.pk}/loma/", {"role": "user"}),
            ]
        else:
            posts = [
                (first_http, f"{USERS}{second.pk}/nonemt/", {}),
                (second_http, f"{USERS}{first.pk}/nonemt/", {}),
            ]

        statuses = _at_once(*posts)

        # The loser is no longer an administrator (403) or, removed, no longer a user (404).
        loser = {403} if action == "demote" else {403, 404}
        assert sorted(statuses)[0] == 302, f"round {round_number}: {statuses}"
        assert sorted(statuses)[1] in loser, f"round {round_number}: {statuses}"
        admins = Membership.objects.filter(client=legal, role=Membership.Role.ADMIN)
        assert admins.count() == 1, f"round {round_number}"


@pytest.mark.django_db(transaction=True)
def test_an_administrator_demoted_meanwhile_cannot_demote_the_other(reference_data):
    # Whichever request wins, the loser was no longer an administrator when its change ran.
    legal = LegalClientFactory()
    for round_number in range(ROUNDS):
        Membership.objects.filter(client=legal).delete()
        first = MembershipFactory(client=legal, role=Membership.Role.ADMIN)
        second = MembershipFactory(client=legal, role=Membership.Role.ADMIN)
        third = MembershipFactory(client=legal, role=Membership.Role.ADMIN)
        first_http, second_http = _http(first.user, legal), _http(second.user, legal)

        statuses = _at_once(
            (first_http, f"{USERS}{second.pk}/loma/", {"role": "user"}),
            (second_http, f"{USERS}{first.pk}/loma/", {"role": "user"}),
        )

        assert sorted(statuses) == [302, 403], f"round {round_number}: {statuses}"
        admins = set(
            Membership.objects.filter(client=legal, role=Membership.Role.ADMIN).values_list(
                "pk", flat=True
            )
        )
        # One of the two demoted the other; the demoted one's own change was refused (403).
        assert admins in ({first.pk, third.pk}, {second.pk, third.pk}), f"round {round_number}"


@pytest.mark.django_db(transaction=True)
def test_two_administrators_removing_the_same_user_at_once_both_get_a_page(reference_data):
    legal = LegalClientFactory()
    for round_number in range(ROUNDS):
        Membership.objects.filter(client=legal).delete()
        first = MembershipFactory(client=legal, role=Membership.Role.ADMIN)
        second = MembershipFactory(client=legal, role=Membership.Role.ADMIN)
        user = MembershipFactory(client=legal, role=Membership.Role.USER)
        first_http, second_http = _http(first.user, legal), _http(second.user, legal)

        statuses = _at_once(
            (first_http, f"{USERS}{user.pk}/nonemt/", {}),
            (second_http, f"{USERS}{user.pk}/nonemt/", {}),
        )

        # Both back on the users page (one with "already removed"), or a 404 for the later one.
        assert statuses in ([302, 302], [302, 404], [404, 302]), f"round {round_number}"
        assert not Membership.objects.filter(pk=user.pk).exists()
        assert Membership.objects.filter(client=legal, role=Membership.Role.ADMIN).count() == 2
