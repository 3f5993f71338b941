"""Planned completion dates across Latvian holidays, and when they are set."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.services import record_payment
from orders.models import Service
from orders.planning import is_working_day, next_working_day, planned_completion_date
from orders.services import change_order_part_status
from orders.workflow import OrderStatus
from tests.factories import InvoiceFactory, OrderFactory, OrderPartFactory

W = "working"
C = "calendar"


def test_midsummer_and_its_day_off_push_the_start_and_a_working_saturday_counts():
    # Fri 19.06.2026 paid; Mon 22.06 is a day off moved to Sat 27.06; 23–24.06 are holidays.
    assert planned_completion_date(date(2026, 6, 19), [(W, 1)]) == date(2026, 6, 25)
    assert planned_completion_date(date(2026, 6, 19), [(W, 3)]) == date(2026, 6, 27)


def test_midsummer_on_a_weekend_has_no_monday_transfer():
    # 23.06.2024 is a Sunday and 24.06 a Monday holiday; the law moves neither.
    assert planned_completion_date(date(2024, 6, 21), [(W, 1)]) == date(2024, 6, 25)


def test_18_november_on_a_saturday_moves_to_monday():
    # 18.11.2023 is a Saturday, so Monday 20.11.2023 is off.
    assert is_working_day(date(2023, 11, 20)) is False
    assert planned_completion_date(date(2023, 11, 17), [(W, 1)]) == date(2023, 11, 21)


def test_4_may_on_a_saturday_moves_to_monday():
    # 04.05.2024 is a Saturday, so Monday 06.05.2024 is off.
    assert planned_completion_date(date(2024, 5, 2), [(W, 2)]) == date(2024, 5, 7)


def test_2_january_2026_is_a_day_off_worked_on_saturday_17_january():
    assert is_working_day(date(2026, 1, 2)) is False
    assert is_working_day(date(2026, 1, 17)) is True
    assert next_working_day(date(2025, 12, 31)) == date(2026, 1, 5)
    assert planned_completion_date(date(2025, 12, 31), [(W, 1)]) == date(2026, 1, 5)
    assert planned_completion_date(date(2025, 12, 31), [(W, 11)]) == date(2026, 1, 17)
    assert planned_completion_date(date(2026, 1, 16), [(W, 1)]) == date(2026, 1, 17)


def test_calendar_day_term_ending_on_a_weekend_moves_to_the_next_working_day():
    # Paid Mon 02.03.2026, work starts Tue 03.03; 5 calendar days end Sat 07.03.
    assert planned_completion_date(date(2026, 3, 2), [(C, 5)]) == date(2026, 3, 9)


def test_calendar_day_term_ending_on_a_holiday_moves_to_the_next_working_day():
    # Paid Mon 02.11.2026, start Tue 03.11; 16 calendar days end Wed 18.11, a holiday.
    assert planned_completion_date(date(2026, 11, 2), [(C, 16)]) == date(2026, 11, 19)


def test_calendar_day_term_ending_on_a_working_day_stays():
    assert planned_completion_date(date(2026, 3, 2), [(C, 15)]) == date(2026, 3, 17)


def test_consecutive_terms_add_up():
    assert planned_completion_date(date(2026, 3, 2), [(W, 11), (W, 10)]) == (
        planned_completion_date(date(2026, 3, 2), [(W, 21)])
    )
    # 2 working days end Wed 04.03; the next service starts Thu 05.03 and 5 calendar days end Mon.
    assert planned_completion_date(date(2026, 3, 2), [(W, 2), (C, 5)]) == date(2026, 3, 9)


def test_a_term_across_the_new_year_uses_both_years_holidays():
    # From Mon 21.12.2026: 22, 23, (24–27 off), 28, 29, 30, (31.12 and 1.01 off), 4–8 January.
    assert planned_completion_date(date(2026, 12, 21), [(W, 10)]) == date(2027, 1, 8)


def test_no_term_means_no_planned_date():
    assert planned_completion_date(date(2026, 3, 2), []) is None
    assert planned_completion_date(date(2026, 3, 2), [("online", None), ("none", 0)]) is None


def test_payment_on_a_sunday_starts_work_on_monday():
    assert planned_completion_date(date(2026, 3, 8), [(W, 1)]) == date(2026, 3, 9)


@pytest.mark.django_db
def test_registering_a_part_with_no_prepayment_due_plans_it_from_registration(monkeypatch):
    service = Service.objects.get(code="kadastra-info-ipasums")
    service.prepayment_percent = 0
    service.save()
    part = OrderPartFactory(service=service)
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 6, 19, 10, tzinfo=UTC))

    change_order_part_status(part, OrderStatus.REGISTERED)

    part.refresh_from_db()
    # 11 working days from Thu 25.06.2026 (22.06 off, 23–24.06 holidays, Sat 27.06 worked).
    assert part.planned_completion_date == date(2026, 7, 8)


@pytest.mark.django_db
def test_registering_a_part_that_waits_for_prepayment_plans_nothing():
    part = OrderPartFactory(service=Service.objects.get(code="kadastra-info-ipasums"))

    change_order_part_status(part, OrderStatus.REGISTERED)

    part.refresh_from_db()
    assert part.planned_completion_date is None


@pytest.mark.django_db
def test_payment_in_full_plans_every_open_part_with_a_term():
    order = OrderFactory()
    info = OrderPartFactory(order=order, service=Service.objects.get(code="kadastra-info-ipasums"))
    free = OrderPartFactory(order=order, service=Service.objects.get(code="pieteikums"))
    invoice = InvoiceFactory(order=order)
    record_payment(
        invoice, Decimal("5.00"), source="treasury", external_id="t-1", paid_on=date(2026, 6, 18)
    )
    info.refresh_from_db()
    assert info.planned_completion_date is None  # partly paid: work has not started

    record_payment(
        invoice, Decimal("8.45"), source="treasury", external_id="t-2", paid_on=date(2026, 6, 19)
    )

    info.refresh_from_db()
    free.refresh_from_db()
    assert (info.planned_completion_date, free.planned_completion_date) == (date(2026, 7, 8), None)
