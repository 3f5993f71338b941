"""The layout's fragments kept per language ({% once %}, manskonts/templatetags/manskonts.py): a
page after a switch of language shows the other language's footer, skip link and header, never
the text the first page cached; a changed setting is not answered with yesterday's links."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from accounts.models import Client
from tests.factories import OrderFactory, OrderPartFactory


def switch_language(http, language: str):
    response = http.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    return http


@pytest.mark.django_db
def test_layout_fragments_follow_a_switch_of_language(client):
    latvian = client.get(reverse("accessibility")).content.decode()

    english = switch_language(client, "en").get(reverse("accessibility")).content.decode()
    latvian_again = switch_language(client, "lv").get(reverse("accessibility")).content.decode()

    assert 'data-module="govuk-skip-link">Pāriet uz galveno saturu</a>' in latvian
    assert 'data-module="govuk-skip-link">Skip to main content</a>' in english
    assert 'data-module="govuk-skip-link">Pāriet uz galveno saturu</a>' in latvian_again
    assert ">Accessibility statement</a></li>" in english
    assert ">Piekļūstamības paziņojums</a></li>" in latvian_again
    assert "Skip to main content" not in latvian_again


@pytest.mark.django_db
def test_signed_in_header_follows_a_switch_of_language(signed_in, owner):
    http = signed_in(owner)
    latvian = http.get(reverse("eservices:list")).content.decode()

    english = switch_language(http, "en").get(reverse("eservices:list")).content.decode()

    assert 'class="mk-button-link mk-header__link">Iziet</button>' in latvian
    assert 'class="mk-button-link mk-header__link">Sign out</button>' in english
    assert '<nav class="mk-nav" aria-label="Mans konts">' in english


def test_once_renders_its_fragment_in_each_language():
    fragment = engines["django"].from_string(
        '{% load i18n %}{% once %}{% translate "Iziet" %} {% url "home" %}{% endonce %}'
    )

    with translation.override("lv"):
        first = fragment.render({})
    with translation.override("en"):
        second = fragment.render({})
    with translation.override("lv"):
        third = fragment.render({})

    assert [first, second, third] == ["Iziet /", "Sign out /", "Iziet /"]


def test_once_forgets_its_fragment_when_a_setting_changes():
    fragment = engines["django"].from_string(
        "{% load static %}{% once %}{% static 'x.css' %}{% endonce %}"
    )
    with (
        translation.override("lv"),
        override_settings(
            STORAGES={
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
            }
        ),
    ):
        before = fragment.render({})
        with override_settings(STATIC_URL="/elsewhere/"):
            after = fragment.render({})

    assert (before, after) == ("/static/x.css", "/elsewhere/x.css")


@pytest.mark.django_db
def test_orders_status_legend_follows_a_switch_of_language(signed_in, owner):
    http = signed_in(owner)
    latvian = http.get(reverse("orders:list")).content.decode()

    english = switch_language(http, "en").get(reverse("orders:list")).content.decode()

    assert '<span class="govuk-details__summary-text">Ko nozīmē statusi?</span>' in latvian
    assert '<span class="govuk-details__summary-text">What do the statuses mean?</span>' in english
    assert "Ko nozīmē statusi?" not in english


@pytest.mark.django_db
def test_order_page_status_legend_follows_a_switch_of_language(signed_in, owner):
    client = Client.objects.get_or_create_for_person(owner)
    OrderPartFactory(order=OrderFactory(client=client, number="2026-0000042"))
    http = signed_in(owner)
    url = reverse("orders:detail", args=["2026-0000042"])
    latvian = http.get(url).content.decode()

    english = switch_language(http, "en").get(url).content.decode()

    assert '<span class="govuk-details__summary-text">Ko nozīmē statusi?</span>' in latvian
    assert '<span class="govuk-details__summary-text">What do the statuses mean?</span>' in english
