"""The e-service rows as the table shows them (eservices/tables.py), read back from the page."""

import re
from datetime import UTC, datetime

import pytest

from tests.factories import EServiceFactory, OrderFactory

LIST = "/mans-konts/e-pakalpojumi/"


def cells(html: str) -> list[list[str]]:
    body = html.split('<tbody class="govuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr [^>]*>(.*?)</tr>", body, re.S)
    return [re.findall(r"<td [^>]*>(.*?)</td>", row, re.S) for row in rows]


@pytest.mark.django_db
def test_a_row_shows_every_column_the_way_the_page_writes_it(legal, legal_admin, signed_in):
    # 22:30 UTC on 31 March is already 1 April in Riga.
    e = EServiceFactory(
        client=legal,
        requested_by=legal_admin,
        object_code="13000263302",
        created_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC),
        label="Māja <Rīgā>",
    )
    e.orders.add(OrderFactory(client=legal, number="2026-0000200"))
    e.orders.add(OrderFactory(client=legal, number="2026-0000100"))

    html = signed_in(legal_admin, acting_for=legal).get(LIST).content.decode()

    [row] = cells(html)
    assert row[0] == f'<a class="govuk-link" href="/mans-konts/e-pakalpojumi/{e.pk}/">{e.pk}</a>'
    assert row[1] == "01.04.2026"
    assert row[2] == e.service.name
    assert row[3] == "1300 026 3302"
    assert row[4] == '<strong class="govuk-tag govuk-tag--grey">Iesniegts</strong>'
    assert row[6] == (
        '<a class="govuk-link" href="/mans-konts/pasutijumi/2026-0000100/">2026-0000100</a>, '
        '<a class="govuk-link" href="/mans-konts/pasutijumi/2026-0000200/">2026-0000200</a>'
    )
    assert row[7] == "Māja &lt;Rīgā&gt;"
    assert row[8] == legal_admin.get_full_name()


@pytest.mark.django_db
def test_a_natural_persons_row_has_no_user_column_and_dashes_for_nothing(
    owner_client, owner, signed_in
):
    EServiceFactory(client=owner_client, label=None)

    [row] = cells(signed_in(owner).get(LIST).content.decode())

    assert len(row) == 8
    assert row[6] == row[7] == "—"


@pytest.mark.django_db
def test_service_names_are_marked_latvian_on_english_pages(owner_client, owner, signed_in):
    from django.conf import settings

    e = EServiceFactory(client=owner_client)
    http = signed_in(owner)

    latvian = cells(http.get(LIST).content.decode())[0][2]
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_page = http.get(LIST).content.decode()
    detail = http.get(f"{LIST}{e.pk}/").content.decode()

    assert latvian == e.service.name
    assert cells(english_page)[0][2] == f'<span lang="lv">{e.service.name}</span>'
    assert f'<span class="govuk-caption-l"><span lang="lv">{e.service.name}</span></span>' in detail


@pytest.mark.django_db
def test_service_group_options_are_marked_latvian_on_english_pages(owner, signed_in):
    from django.conf import settings

    from orders.models import ServiceGroup

    group = ServiceGroup.objects.order_by("name").first()
    http = signed_in(owner)

    latvian = http.get(LIST).content.decode()
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = http.get(LIST).content.decode()

    assert f'<option value="{group.pk}">{group.name}</option>' in latvian
    assert f'<option value="{group.pk}" lang="lv">{group.name}</option>' in english
    assert '<option value="" selected>All groups</option>' in english
