"""HTML kept by what it is written from (manskonts.fragments, issue 18): the list pages' filter fields
and sort headers, the header's switch and language form, the navigation bar. Whatever a fragment is
written from reaches the page at once; one client's choices never show on another's page."""

from __future__ import annotations

import django_filters
import pytest
from django.http import QueryDict
from django.utils.safestring import SafeString

from accounts.models import Client, Membership
from manskonts.fragments import Fragments
from manskonts.listing import FILTER_FIELDS, ListFilterSet
from tests.factories import VALID_REGISTRATION_NUMBERS, LegalClientFactory, UserFactory

LIST = "/mans-konts/e-pakalpojumi/"


def test_a_fragment_is_written_once_per_key_and_the_least_recently_used_goes_first():
    kept = Fragments("test", size=2)
    written = []

    def write(name):
        def inner():
            written.append(name)
            return SafeString(f"<p>{name}</p>")

        return inner

    assert kept.get("a", write("a")) == "<p>a</p>"
    assert kept.get("a", write("a again")) == "<p>a</p>"
    kept.get("b", write("b"))
    kept.get("a", write("a third"))  # a is now the most recently used
    kept.get("c", write("c"))  # b goes
    kept.get("b", write("b again"))

    assert written == ["a", "b", "c", "b again"]
    assert len(kept) == 2


def test_a_changed_setting_forgets_every_fragment(settings):
    kept = Fragments("test")
    kept.get("a", lambda: SafeString("old"))
    settings.STATIC_URL = "/elsewhere/"
    assert kept.get("a", lambda: SafeString("new")) == "new"


def test_a_filter_set_with_choices_of_the_request_must_say_them():
    with pytest.raises(TypeError, match="choices_key"):

        class Forgetful(ListFilterSet):
            status = django_filters.ChoiceFilter(choices=[])

            def prepare_form(self, form):
                form.fields["status"].choices = [("a", "A")]


@pytest.mark.django_db
def test_each_legal_person_is_offered_its_own_users_for_the_same_query(legal, signed_in):
    number = next(n for n in VALID_REGISTRATION_NUMBERS if n != legal.registration_number)
    other = LegalClientFactory(name="SIA Cits", registration_number=number)
    ours, theirs = (
        UserFactory(first_name="Ilze", last_name="Ozola"),
        UserFactory(first_name="Pēteris", last_name="Kalns"),
    )
    Membership.objects.create(client=legal, user=ours, role=Membership.Role.ADMIN)
    Membership.objects.create(client=other, user=theirs, role=Membership.Role.ADMIN)

    first = signed_in(ours, acting_for=legal).get(LIST + "?sort=-created").content.decode()
    second = signed_in(theirs, acting_for=other).get(LIST + "?sort=-created").content.decode()

    assert "Ilze Ozola" in first and "Pēteris Kalns" not in first
    assert "Pēteris Kalns" in second and "Ilze Ozola" not in second


@pytest.mark.django_db
def test_a_new_user_of_the_legal_person_is_offered_at_the_next_request(
    legal, legal_admin, signed_in
):
    http = signed_in(legal_admin, acting_for=legal)
    assert "Marta Liepa" not in http.get(LIST).content.decode()

    Membership.objects.create(
        client=legal,
        user=UserFactory(first_name="Marta", last_name="Liepa"),
        role=Membership.Role.USER,
    )

    assert "Marta Liepa" in http.get(LIST).content.decode()


@pytest.mark.django_db
def test_the_same_page_in_each_language_has_its_own_fields_and_headers(
    owner, owner_client, signed_in, settings
):
    http = signed_in(owner)
    latvian = http.get(LIST + "?sort=service").content.decode()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = http.get(LIST + "?sort=service").content.decode()

    assert "Pieprasīts no" in latvian and "Pieprasīts no" not in english
    assert "kārtots augošā secībā" in latvian and "kārtots augošā secībā" not in english


@pytest.mark.django_db
def test_the_header_switch_shows_a_renamed_client_and_comes_back_to_this_page(
    legal, colleague, signed_in
):
    http = signed_in(colleague, acting_for=legal)
    assert legal.name in http.get(LIST).content.decode()

    Client.objects.filter(pk=legal.pk).update(name="SIA Jaunais nosaukums")
    html = http.get(LIST + "?sort=service").content.decode()

    assert "SIA Jaunais nosaukums" in html
    assert 'name="next" value="/mans-konts/e-pakalpojumi/?sort=service"' in html


@pytest.mark.django_db
def test_the_navigation_bar_counts_a_new_unread_notification_at_once(
    owner, owner_client, signed_in
):
    from notifications.models import Notification

    http = signed_in(owner)
    assert "nelasīti" not in http.get(LIST).content.decode()

    Notification.objects.create(
        recipient=owner,
        client=owner_client,
        kind=Notification.Kind.STATUS,
        subject="Jauns",
        body=".",
    )

    assert "nelasīti" in http.get(LIST).content.decode()


@pytest.mark.django_db
def test_a_refused_filter_value_is_shown_with_its_error_each_time(owner, signed_in):
    http = signed_in(owner)
    for _ in range(2):
        html = http.get(LIST + "?id=abc").content.decode()
        assert "E-pakalpojuma ID ir skaitlis." in html
        assert 'value="abc"' in html
    assert len(FILTER_FIELDS) >= 1


@pytest.mark.django_db
def test_an_empty_query_string_is_no_filter():
    from eservices.filters import EServiceFilter
    from eservices.models import EService

    assert EServiceFilter(
        QueryDict("sort=-created&cursor=x&filtri=0"), queryset=EService.objects.none()
    ).asks_nothing()
    assert not EServiceFilter(
        QueryDict("sort=-created&label="), queryset=EService.objects.none()
    ).asks_nothing()
