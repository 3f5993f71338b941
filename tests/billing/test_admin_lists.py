"""Staff lists: date-range filters (django-admin-rangefilter) that keep the list's other filters."""

from datetime import date

import lxml.html
import pytest
from django.urls import reverse

from tests.factories import InvoiceFactory, StaffFactory


@pytest.fixture
def staff_http(client, db):
    client.force_login(StaffFactory(is_superuser=True))
    return client


@pytest.mark.django_db
def test_invoice_list_filters_by_a_date_range_written_dd_mm_yyyy(staff_http):
    InvoiceFactory(number="R2026-000100", issued_on=date(2026, 10, 31))
    inside = InvoiceFactory(number="R2026-000101", issued_on=date(2026, 11, 1))
    last = InvoiceFactory(number="R2026-000102", issued_on=date(2026, 11, 30))
    InvoiceFactory(number="R2026-000103", issued_on=date(2026, 12, 1))

    response = staff_http.get(
        reverse("admin:billing_invoice_changelist"),
        {"issued_on__range__gte": "01.11.2026", "issued_on__range__lte": "30.11.2026"},
    )

    assert sorted(i.number for i in response.context["cl"].queryset) == [inside.number, last.number]


@pytest.mark.django_db
def test_date_range_form_keeps_the_other_filters_and_needs_no_script(staff_http):
    InvoiceFactory()

    response = staff_http.get(
        reverse("admin:billing_invoice_changelist"), {"q": "R2026", "kind__exact": "final"}
    )

    page = lxml.html.fromstring(response.content.decode())
    forms = page.xpath("//form[contains(@class, 'mk-date-range')]")
    assert len(forms) == 2  # issued on, due on
    for form in forms:
        hidden = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
        assert hidden == {"q": "R2026", "kind__exact": "final"}
        labels = [label.text_content() for label in form.xpath(".//label")]
        assert labels == ["No", "Līdz"]
        assert form.xpath(".//script") == []
    assert page.xpath("//script[not(@src)]") == []
