"""Planned completion dates: the one function that computes them, and where it is applied.

Work starts on the next Latvian working day after payment (or after registration when no prepayment
is due). A term in working days ends on the term-th working day counted from that start day; a term
in calendar days ends term-1 days after the start, moved on to the next working day when that is a
weekend or holiday. Consecutive services add up: each one starts the working day after the one
before it ends.

Working days are the `holidays` package's for LV: public holidays, their Monday transfers (4 May,
18 November) and the days off moved by a Cabinet order, with the Saturdays worked in their place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays

from orders.models import OrderPart, Service
from orders.workflow import FINAL_STATUSES

WORKING = Service.TermKind.WORKING_DAYS
CALENDAR = Service.TermKind.CALENDAR_DAYS

Term = tuple[str, int]


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    # One year per instance and cached: a long term simply asks for the next year too.
    return holidays.country_holidays("LV", years=year)


def is_working_day(day: date) -> bool:
    return _calendar(day.year).is_working_day(day)


def next_working_day(after: date) -> date:
    """The first working day strictly after `after`."""
    day = after + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def on_or_after_working_day(day: date) -> date:
    """The day itself when it is a working day, else the next working day (a deadline's rule)."""
    return day if is_working_day(day) else next_working_day(day)


def working_days_between(start: date, end: date) -> int:
    """How many working days from `start` (counted) up to `end` (not counted): the working days a
    part suspended on `start` and resumed on `end` did not run. 0 when resumed the same day."""
    count, day = 0, start
    while day < end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day` (`day` itself when count is 0)."""
    for _ in range(count):
        day = next_working_day(day)
    return day


def resume_shift(part, suspended_on: date, resumed_on: date) -> bool:
    """A part resumed after a suspension: its planned date moves on by the working days it was
    suspended, the first planned date kept in original_planned_completion_date. Saves the part
    (the caller holds its row lock); returns whether the date moved."""
    if part.planned_completion_date is None:
        return False
    lost = working_days_between(suspended_on, resumed_on)
    if not lost:
        return False
    if part.original_planned_completion_date is None:
        part.original_planned_completion_date = part.planned_completion_date
    part.planned_completion_date = add_working_days(part.planned_completion_date, lost)
    part.save(update_fields=["planned_completion_date", "original_planned_completion_date"])
    return True


def planned_completion_date(start_after: date, terms: Iterable[Term]) -> date | None:
    """The day the last of `terms` ends when work may start after `start_after`.

    `terms` are (kind, days) pairs, kind "working" or "calendar"; other kinds (online,
    subscription, none) and empty terms are skipped. None when no term counts.
    """
    end: date | None = None
    previous = start_after
    for kind, days in terms:
        if not days or days <= 0 or kind not in (WORKING, CALENDAR):
            continue
        start = next_working_day(previous)
        if kind == WORKING:
            end = start
            for _ in range(days - 1):
                end = next_working_day(end)
        else:
            end = on_or_after_working_day(start + timedelta(days=days - 1))
        previous = end
    return end


def service_terms(services: Iterable[Service]) -> list[Term]:
    return [(s.term_kind, s.term_days) for s in services if s.term_days]


def prepayment_due(service: Service) -> bool:
    """Whether work on this service waits for a prepayment (a price of 0 means free)."""
    return service.prepayment_percent > 0 and service.price != 0


def schedule_parts(parts: Iterable, start_after: date, *, only_unplanned: bool = True) -> int:
    """Give each open order part with a term its planned date; returns how many were set.

    A part that already has a date keeps it (a final invoice paid later does not move the
    promise made when the prepayment arrived).
    """
    changed = []
    for part in parts:
        if part.status in FINAL_STATUSES:
            continue
        if only_unplanned and part.planned_completion_date is not None:
            continue
        planned = planned_completion_date(start_after, service_terms([part.service]))
        if planned is None:
            continue
        part.planned_completion_date = planned
        changed.append(part)
    if changed:
        OrderPart.objects.bulk_update(changed, ["planned_completion_date"])
    return len(changed)


def plan_on_registration(part, registered_on: date) -> None:
    """A part registered with no prepayment due starts the next working day after registration."""
    if prepayment_due(part.service):
        return
    schedule_parts([part], registered_on)
