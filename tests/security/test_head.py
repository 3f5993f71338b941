"""Every page a GET shows also answers HEAD (`require_safe`): the same status and headers, no body.

A link checker, a monitoring probe or `curl -I` asks with HEAD; a 405 there reads as a broken page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.test_methods_and_csrf import FORMS, READ_ONLY
from tests.test_access_matrix import build, http_for, world  # noqa: F401 — the fixture

# Pages of an object, named by their access-matrix case; the rest need no argument.
OBJECT_PAGES = {
    "eservices:detail": "eservice_detail",
    "orders:detail": "order_detail",
    "documents:download": "document_download",
    "documents:container_file": "container_file",
    "documents:results_zip": "results_zip",
    "eservices:export": "export_status",
    "eservices:export_download": "export_download",
    "billing:invoice_detail": "invoice_detail",
    "billing:invoice_print": "invoice_print",
    "billing:payment_result": "payment_result",
    "billing:demo_bank": "demo_bank",
    "accounts:application_detail": "application_detail",
    "conversations:order": "order_thread",
    "conversations:eservice": "eservice_thread",
    "conversations:attachment": "message_attachment",
    "requisitions:answer": "request_answer",
}
# Who opens a page: user management is for a legal person's administrator, the rest the owner.
ADMIN_PAGES = {"accounts:users"}
# Not pages but steps of the sign-in: the first stores a one-time state in the session, the second
# spends the provider's one-time code and signs the person in. A HEAD must do neither: GET only.
SIGN_IN_STEPS = {"accounts:oidc_sign_in", "accounts:oidc_callback"}
# A nonce, an id and (never_cache) an expiry stamped per response; the rest must be the same.
VARYING_HEADERS = {"Content-Security-Policy", "X-Request-ID", "Expires"}

PAGES = sorted((READ_ONLY | FORMS) - SIGN_IN_STEPS - {"set_language"})


def url_of(name: str, world) -> str:  # noqa: F811 — the fixture's value
    if name in OBJECT_PAGES:
        return build(OBJECT_PAGES[name], world, world.own).url
    return reverse(name)


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def comparable(response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k not in VARYING_HEADERS}


@pytest.mark.parametrize("name", PAGES)
def test_head_on_a_page_is_200_with_the_headers_of_get_and_no_body(world, name):  # noqa: F811
    persona = "admin" if name in ADMIN_PAGES else "own"
    url = url_of(name, world)

    got = http_for(persona, world).get(url)
    head = http_for(persona, world).head(url)

    assert got.status_code == 200, name
    assert head.status_code == 200, name
    assert body(head) == b""
    assert body(got) != b""
    assert comparable(head) == comparable(got)


def test_head_on_the_language_switch_redirects_as_get_does(world):  # noqa: F811
    url = reverse("set_language") + "?language=en&next=/"

    got = http_for("own", world).get(url)
    head = http_for("own", world).head(url)

    assert (head.status_code, head["Location"]) == (got.status_code, got["Location"])


@pytest.mark.parametrize("name", sorted(SIGN_IN_STEPS))
def test_the_sign_in_steps_refuse_head(world, name):  # noqa: F811
    assert http_for("anon", world).head(reverse(name)).status_code == 405
