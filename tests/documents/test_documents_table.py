"""The files table on the client's pages: sizes in Latvian plurals, "Pieejama līdz" cells that
agree with their header and do not repeat it."""

from datetime import timedelta

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    OrderFactory,
    OrderPartFactory,
    StaffFactory,
)


def row_cells(response) -> list[str]:
    page = lxml.html.fromstring(response.content.decode())
    row = page.xpath("//table[contains(@class, 'govuk-table')]/tbody/tr")[0]
    return [" ".join(cell.text_content().split()) for cell in row.xpath("td")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "size_shown", "header"),
    [
        ("lv", "(21 baits)", "Pieejama līdz"),
        ("en", "(21 bytes)", None),
    ],
)
def test_document_row_shows_its_size_and_the_date_alone(
    signed_in, owner, owner_client, language, size_shown, header
):
    eservice = EServiceFactory(client=owner_client)
    DocumentFactory(eservice=eservice, size=21, direction=Document.Direction.SUBMITTED)
    http = signed_in(owner)
    http.cookies["manskonts_language"] = language

    response = http.get(reverse("eservices:detail", args=[eservice.pk]))

    cells = row_cells(response)
    until = (timezone.localdate() + timedelta(days=90)).strftime("%d.%m.%Y")
    assert cells[0].endswith(size_shown)
    assert cells[3] == until
    if header:
        assert header in response.content.decode()


@pytest.mark.django_db
def test_order_file_has_no_end_date_and_says_so(signed_in, owner, owner_client):
    part = OrderPartFactory(order=OrderFactory(client=owner_client))
    DocumentFactory(order_part=part, size=1, direction=Document.Direction.SUBMITTED)

    response = signed_in(owner).get(reverse("orders:detail", args=[part.order.number]))

    assert row_cells(response)[3] == "bez termiņa"
    assert "1\xa0baits" in response.content.decode()


@pytest.mark.django_db
def test_admin_document_list_shows_sizes_in_words_and_the_end_date_header(client):
    DocumentFactory(eservice=EServiceFactory(), size=21)
    client.force_login(StaffFactory(is_superuser=True))

    page = client.get(reverse("admin:documents_document_changelist")).content.decode()

    assert "21\xa0baits" in page
    assert "Pieejama līdz" in page
    assert "Available until" not in page
