import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "accessibility", "accounts:login"])
def test_public_pages_render_in_latvian(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert '<html lang="lv"' in response.content.decode()


@pytest.mark.django_db
def test_language_switch_by_cookie_shows_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)

    assert '<html lang="en"' in response.content.decode()


@pytest.mark.django_db
def test_overview_asks_a_signed_out_visitor_to_sign_in(client):
    response = client.get(reverse("overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_overview_names_the_active_client(signed_in, owner):
    response = signed_in(owner).get(reverse("overview"))

    assert response.status_code == 200
    assert "Anna Bērziņa" in response.content.decode()


@pytest.mark.django_db
def test_browser_language_does_not_override_latvian(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="lv"' in response.content.decode()
    assert response["Content-Language"] == "lv"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/mans-konts/", "/pieklustamibas-pazinojums/"])
def test_read_only_pages_refuse_post(signed_in, owner, path):
    response = signed_in(owner).post(path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
