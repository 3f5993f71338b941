"""The back-office token endpoint under attack: failed client-credential attempts are counted per
client id and per address (in the cache, as the API's own rate limit); past the limit the
endpoint answers 429 with Retry-After for the rest of the cool-off, the right secret included,
while other client ids from other addresses still get their tokens."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from api.models import BackOfficeScope
from api.service_accounts import create_account
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/backoffice/token"


@pytest.fixture
def accounts(db):
    superuser = StaffFactory(is_superuser=True)
    made = []
    for name in ("Lietu sistēma", "Arhīvs"):
        account, secret = create_account(
            name=name, scopes=[BackOfficeScope.ORDERS_WRITE], by=superuser
        )
        account.secret = secret
        made.append(account)
    return made


def ask(client_id: str, secret: str, address: str = "192.0.2.10"):
    return HttpClient(REMOTE_ADDR=address).post(
        TOKEN_URL,
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


def test_the_eleventh_wrong_secret_for_a_client_id_is_429_even_from_new_addresses(
    settings, accounts
):
    settings.API_TOKEN_FAILURE_LIMIT = 10
    account, other = accounts

    answers = [ask(account.client_id, "wrong", f"192.0.2.{n}").status_code for n in range(10)]
    locked = ask(account.client_id, "wrong", "198.51.100.7")
    right_secret = ask(account.client_id, account.secret, "198.51.100.8")

    assert answers == [401] * 10
    assert locked.status_code == 429
    assert locked.json()["code"] == "rate_limited"
    assert 1 <= int(locked["Retry-After"]) <= settings.API_TOKEN_LOCKOUT_SECONDS
    assert right_secret.status_code == 429
    assert ask(other.client_id, other.secret, "198.51.100.9").status_code == 200


def test_an_address_trying_many_client_ids_is_stopped_for_every_client_id(settings, accounts):
    settings.API_TOKEN_FAILURE_LIMIT = 10
    account, _other = accounts

    answers = [ask(f"vzd_{n:016x}", "guess", "203.0.113.5").status_code for n in range(10)]
    same_address = ask(account.client_id, account.secret, "203.0.113.5")
    elsewhere = ask(account.client_id, account.secret, "203.0.113.6")

    assert answers == [401] * 10
    assert same_address.status_code == 429
    assert same_address["Retry-After"].isdigit()
    assert elsewhere.status_code == 200


def test_a_success_clears_the_client_ids_failures(settings, accounts):
    settings.API_TOKEN_FAILURE_LIMIT = 3
    account, _other = accounts

    for n in range(2):
        ask(account.client_id, "wrong", f"192.0.2.{n}")
    assert ask(account.client_id, account.secret, "192.0.2.50").status_code == 200
    later = [ask(account.client_id, "wrong", f"192.0.2.{60 + n}").status_code for n in range(3)]

    assert later == [401, 401, 401]
    assert ask(account.client_id, account.secret, "192.0.2.70").status_code == 429
