import pytest

from accounts.demo import DEMO_PERSONS
from accounts.models import User
from tests.browser.conftest import demo_sign_in


@pytest.mark.django_db(transaction=True)
def test_demo_person_signs_in_and_sees_their_account(page):
    person = DEMO_PERSONS[0]

    demo_sign_in(page, f"{person.first_name} {person.last_name}")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Mans konts")
    assert User.objects.filter(personal_code=person.personal_code).count() == 1
