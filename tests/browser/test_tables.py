"""Both tables in headless Chromium, as a person uses them: filter, sort, page, detail, Excel."""

from datetime import timedelta

import pytest
from openpyxl import load_workbook

from accounts.models import Client, User
from tests.browser.conftest import demo_sign_in
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory


@pytest.fixture
def anna_with_rows(page):
    from django.utils import timezone

    demo_sign_in(page, "Anna Bērziņa")
    client = Client.objects.get_or_create_for_person(User.objects.get(personal_code="12058512340"))
    now = timezone.now()
    rows = [
        EServiceFactory(
            client=client,
            created_at=now - timedelta(days=i),
            received_at=now - timedelta(days=i),
            status="completed",
            label="Māja Jūrmalā" if i == 3 else None,
        )
        for i in range(25)
    ]
    order = OrderFactory(client=client, number="2026-0000321")
    OrderPartFactory(order=order, part_number=1)
    rows[0].orders.add(order)
    return client, rows


@pytest.mark.django_db(transaction=True)
def test_filter_sort_page_and_open_a_detail(page, anna_with_rows):
    _client, rows = anna_with_rows

    page.goto("/mans-konts/e-pakalpojumi/")
    page.get_by_label("Klienta identifikators").fill("māja")
    page.get_by_role("button", name="Filtrēt").click()
    filtered = page.locator("[data-testid=eservice-table] tbody tr").count()
    page.get_by_role("link", name="Notīrīt filtrus").click()
    page.get_by_role("link", name="E-pakalpojuma ID").click()
    first_sorted = page.locator("[data-testid=eservice-table] tbody tr td a").first.inner_text()
    page.get_by_role("link", name="Nākamā lapa").first.click()
    page.wait_for_url("**cursor=**")
    second_page_rows = page.locator("[data-testid=eservice-table] tbody tr").count()
    page.locator("[data-testid=eservice-table] tbody tr td a").first.click()

    assert filtered == 1
    assert first_sorted == str(min(e.pk for e in rows))
    assert second_page_rows == 5
    assert page.get_by_role("heading", level=1).inner_text().endswith(str(rows[-5].pk))


@pytest.mark.django_db(transaction=True)
def test_set_own_label_without_javascript_form(page, anna_with_rows):
    _client, rows = anna_with_rows

    page.goto(f"/mans-konts/e-pakalpojumi/{rows[1].pk}/")
    page.get_by_label("Klienta identifikators").fill("Birojs Rīgā")
    page.get_by_role("button", name="Saglabāt identifikatoru").click()

    assert page.get_by_text("Identifikators „Birojs Rīgā” saglabāts.").is_visible()


@pytest.mark.django_db(transaction=True)
def test_download_the_excel_report(page, anna_with_rows, tmp_path):
    _client, rows = anna_with_rows

    page.goto("/mans-konts/e-pakalpojumi/atskaite/?sort=id")
    with page.expect_download() as download:
        page.get_by_role("button", name="Lejupielādēt Excel (.xlsx)").click()
    path = tmp_path / "report.xlsx"
    download.value.save_as(path)

    sheet = load_workbook(path).active
    ids = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert ids == sorted(e.pk for e in rows)
    assert sheet["A1"].value == "E-pakalpojuma ID"


@pytest.mark.django_db(transaction=True)
def test_orders_table_to_order_detail_and_back(page, anna_with_rows):
    page.goto("/mans-konts/pasutijumi/")
    page.get_by_role("link", name="2026-0000321").first.click()

    assert page.get_by_role("heading", level=1).inner_text() == "Pasūtījums 2026-0000321"
    page.get_by_role("link", name="Mani pasūtījumi VZD").first.click()
    page.get_by_label("Pasūtījuma Nr.").fill("2026-0000321")
    page.get_by_role("button", name="Filtrēt").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Pasūtījums 2026-0000321"
