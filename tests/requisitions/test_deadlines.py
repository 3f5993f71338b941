"""The deadline rule and the suspension arithmetic, on the Latvian working-day calendar of
orders/planning.py (2026: 18 November a Wednesday holiday, 27 June a transferred working
Saturday, Christmas on Thursday 24 – Saturday 26 December)."""

from __future__ import annotations

from datetime import date

import pytest

from orders.models import Service
from orders.planning import add_working_days, working_days_between
from requisitions.services import deadline_rule, default_deadline


def test_a_deadline_on_a_saturday_moves_to_monday():
    assert deadline_rule(date(2026, 12, 5)) == date(2026, 12, 7)


def test_a_deadline_on_a_sunday_moves_to_monday():
    assert deadline_rule(date(2026, 12, 6)) == date(2026, 12, 7)


def test_a_deadline_on_a_holiday_moves_to_the_next_working_day():
    assert deadline_rule(date(2026, 11, 18)) == date(2026, 11, 19)
    # Christmas Eve (Thu) to the second day (Sat), then Sunday: Monday 28th.
    assert deadline_rule(date(2026, 12, 24)) == date(2026, 12, 28)


def test_a_deadline_on_a_transferred_working_saturday_stays():
    assert deadline_rule(date(2026, 6, 27)) == date(2026, 6, 27)
    assert deadline_rule(date(2026, 1, 17)) == date(2026, 1, 17)


def test_a_deadline_on_a_working_day_stays():
    assert deadline_rule(date(2026, 12, 2)) == date(2026, 12, 2)


@pytest.mark.django_db
def test_the_default_deadline_is_the_services_reply_period_on_a_working_day():
    service = Service.objects.get(code="kadastra-info-ipasums")
    assert service.request_reply_days == 30
    # 25 November + 30 days = Christmas Day (Fri) → Monday 28 December.
    assert default_deadline(service, date(2026, 11, 25)) == date(2026, 12, 28)
    service.request_reply_days = 14
    assert default_deadline(service, date(2026, 11, 25)) == date(2026, 12, 9)


def test_working_days_suspended():
    # Suspended Friday 13 November, resumed Thursday 19th: Fri, Mon, Tue (Wed 18th a holiday).
    assert working_days_between(date(2026, 11, 13), date(2026, 11, 19)) == 3
    # Friday to Monday: Friday only.
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 7)) == 1
    # Resumed the same day: nothing lost.
    assert working_days_between(date(2026, 12, 4), date(2026, 12, 4)) == 0


def test_adding_working_days_skips_holidays_and_keeps_working_saturdays():
    assert add_working_days(date(2026, 11, 17), 1) == date(2026, 11, 19)
    assert add_working_days(date(2026, 6, 26), 1) == date(2026, 6, 27)
    assert add_working_days(date(2026, 12, 4), 0) == date(2026, 12, 4)
