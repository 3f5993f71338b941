from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from tests.documents.signed_samples import pki, trust_store  # noqa: F401 — signed answers' PKI


class Clock:
    """The service's 'now', moved by the test (noon, local time)."""

    def __init__(self, monkeypatch):
        self._monkeypatch = monkeypatch
        self.now = None

    def set(self, day: date) -> None:
        self.now = datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))
        self._monkeypatch.setattr(timezone, "now", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
