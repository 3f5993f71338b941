"""The back-office tests' service account: made by a superuser with every scope, and its access
token from the token endpoint (tests/api/backoffice.py says how)."""

import pytest

from tests.api.backoffice import access_token, make_account
from tests.factories import StaffFactory


@pytest.fixture
def superuser(db):
    return StaffFactory(is_superuser=True)


@pytest.fixture
def account(superuser):
    return make_account(superuser)


@pytest.fixture
def token(account):
    return access_token(account)
