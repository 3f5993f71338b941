"""The e-service rows as the table shows them (eservices/tables.py), read back from the page."""

from datetime import UTC, datetime

import pytest

from tests.factories import EServiceFactory, OrderFactory
from tests.tables import rows

LIST = "/mans-konts/e-pakalpojumi/"


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

    [row] = rows(html)
    assert row["E-pakalpojuma ID"] == (
        f'<a class="govuk-link" href="/mans-konts/e-pakalpojumi/{e.pk}/">{e.pk}</a>'
    )
    assert row["Izveidošanas datums"] == "01.04.2026"
    assert row["Pakalpojuma nosaukums"] == e.service.name
    assert row["Objekts"] == "1300 026 3302"
    assert row["Statuss"] == '<strong class="govuk-tag govuk-tag--grey">Iesniegts</strong>'
    assert row["Saistītie pasūtījumi"] == (
        '<a class="govuk-link" href="/mans-konts/pasutijumi/2026-0000100/">2026-0000100</a>, '
        '<a class="govuk-link" href="/mans-konts/pasutijumi/2026-0000200/">2026-0000200</a>'
    )
    assert row["Klienta identifikators"] == "Māja &lt;Rīgā&gt;"
    assert row["Lietotājs"] == legal_admin.get_full_name()


@pytest.mark.django_db
def test_a_natural_persons_row_has_no_user_column_and_dashes_for_nothing(
    owner_client, owner, signed_in
):
    EServiceFactory(client=owner_client, label=None)

    [row] = rows(signed_in(owner).get(LIST).content.decode())

    assert "Lietotājs" not in row
    assert len(row) == 8
    assert row["Saistītie pasūtījumi"] == row["Klienta identifikators"] == "—"


@pytest.mark.django_db
def test_service_names_are_marked_latvian_on_english_pages(owner_client, owner, signed_in):
    from django.conf import settings

    e = EServiceFactory(client=owner_client)
    http = signed_in(owner)

    latvian = rows(http.get(LIST).content.decode())[0]["Pakalpojuma nosaukums"]
    http.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english_page = http.get(LIST).content.decode()
    detail = http.get(f"{LIST}{e.pk}/").content.decode()

    assert latvian == e.service.name
    assert rows(english_page)[0]["Service name"] == f'<span lang="lv">{e.service.name}</span>'
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


@pytest.mark.django_db
def test_header_cells_colspan_and_excel_come_from_one_declaration(
    legal, legal_admin, signed_in, monkeypatch
):
    """One more Column in the declaration is a header, a cell in each row, one more in the empty
    row's colspan and a column of the Excel report: no other edit."""
    from io import BytesIO

    from django.utils import timezone
    from openpyxl import load_workbook

    from eservices import exporters, tables, views
    from manskonts.columns import Column, Excel, Table
    from tests.tables import colspan, headers

    extra = Column(
        "extra",
        "Papildu kolonna",
        lambda e, c: f"P{e.pk}",
        excel=Excel(("id",), lambda pk: f"P{pk}", width=12),
    )
    table = Table([*tables.TABLE.columns[:2], extra, *tables.TABLE.columns[2:]])
    monkeypatch.setattr(views, "TABLE", table)
    monkeypatch.setattr(exporters, "TABLE", table)
    e = EServiceFactory(client=legal, requested_by=legal_admin, received_at=timezone.now())
    http = signed_in(legal_admin, acting_for=legal)

    html = http.get(LIST).content.decode()
    empty = http.get(LIST, {"id": e.pk + 1}).content.decode()
    workbook = http.post("/mans-konts/e-pakalpojumi/atskaite/excel/")
    sheet = load_workbook(BytesIO(b"".join(workbook.streaming_content))).active
    excel = [list(r) for r in sheet.iter_rows(values_only=True)]

    shown = [
        "E-pakalpojuma ID",
        "Izveidošanas datums",
        "Papildu kolonna",
        "Pakalpojuma nosaukums",
        "Objekts",
        "Statuss",
        "Izmaiņu datums",
        "Saistītie pasūtījumi",
        "Klienta identifikators",
        "Lietotājs",
    ]
    assert headers(html) == shown
    [row] = rows(html)
    assert list(row) == shown
    assert row["Papildu kolonna"] == f"P{e.pk}"
    assert colspan(empty) == len(shown)
    assert excel[0][1:4] == ["Izveidošanas datums", "Papildu kolonna", "Pakalpojuma nosaukums"]
    assert excel[0][-1] == "Lietotājs"
    assert excel[1][2] == f"P{e.pk}"
    assert sheet.column_dimensions["C"].width == 12


@pytest.mark.django_db
def test_the_page_and_the_excel_report_follow_the_declaration(legal, legal_admin, signed_in):
    from io import BytesIO

    from openpyxl import load_workbook

    from eservices.tables import TABLE
    from tests.tables import colspan, headers

    e = EServiceFactory(client=legal, requested_by=legal_admin)
    http = signed_in(legal_admin, acting_for=legal)

    for_legal = http.get(LIST).content.decode()
    empty = http.get(LIST, {"id": e.pk + 1}).content.decode()
    workbook = http.post("/mans-konts/e-pakalpojumi/atskaite/excel/")
    excel = next(load_workbook(BytesIO(b"".join(workbook.streaming_content))).active.values)

    declared = [str(c.label) for c in TABLE.layout(user=True)]
    assert headers(for_legal) == list(rows(for_legal)[0]) == declared
    assert colspan(empty) == len(declared) == 9
    assert list(excel) == [str(c.label) for c in TABLE.excel_columns(user=True)]
    assert [str(c.label) for c in TABLE.layout(user=False)] == declared[:-1]
