"""A NUL character in the URL path is a 400 page, never a 500 (in query strings and forms the
filters and forms refuse it on the page: tests/security/test_bad_input.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/mans-konts/pasutijumi/a%00b/",
        "/mans-konts/datnes/pasutijums/a%00b/rezultati.zip",
        "/mans-konts/rekini/a%00b/",
    ],
)
def test_nul_byte_in_the_path_is_a_bad_request_page(signed_in, owner, owner_client, url):
    response = signed_in(owner).get(url)

    assert response.status_code == 400
    assert "Nepareizs pieprasījums" in response.content.decode()


@pytest.mark.django_db
def test_nul_byte_in_an_order_number_upload_is_refused_and_nothing_stored(
    signed_in, owner, owner_client
):
    from documents.models import Document

    response = signed_in(owner).post(
        "/mans-konts/datnes/pasutijums/a%00b/iesniegt/",
        {"files": [SimpleUploadedFile("a.pdf", PDF, "application/pdf")]},
    )

    assert response.status_code == 400
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_nul_byte_in_the_order_number_search_is_a_page_not_a_500(signed_in, owner, owner_client):
    response = signed_in(owner).get("/mans-konts/pasutijumi/", {"number": "a\x00b"})

    assert response.status_code == 200
