"""The beat's request and invoice jobs on a real Celery worker with real Redis: sent by the names
CELERY_BEAT_SCHEDULE gives them, as the beat would, with time moved by the test (the jobs' `today`,
or a deadline moved into the past), never slept. Reminders go out once, their emails through the
outbox on the same worker; the expired request is on the desk; a re-run changes nothing."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from manskonts.celery import app
from notifications.models import Notification
from orders.models import Service
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.admin import past_deadline
from requisitions.models import Request
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.factories import InvoiceFactory, OrderPartFactory, StaffFactory, UserFactory, own_client
from tests.worker import celery_worker  # noqa: F401 — fixture

pytestmark = pytest.mark.worker


def beat(job: str, **kwargs):
    """Send the job as the beat does (by its schedule entry's task name) and wait for its result."""
    task = settings.CELERY_BEAT_SCHEDULE[job]["task"]
    return app.send_task(task, kwargs=kwargs).get(timeout=60)


def wait_emailed(notification_ids, seconds: float = 30) -> bool:
    """Poll as a clerk reloading would, until the worker has emailed each notification."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pending = Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        if not pending.exists():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_reminders_expiry_and_termination_run_on_the_worker(celery_worker):  # noqa: F811
    part = OrderPartFactory(
        status=OrderStatus.IN_PROGRESS, order__client=own_client(UserFactory(email="a@example.lv"))
    )
    Service.objects.filter(pk=part.service_id).update(request_auto_terminate_days=3)
    request = services.raise_request(
        part, [ItemSpec("Zemes robežu plāns")], "Iesniedziet plānu.", by=StaffFactory()
    )
    request.refresh_from_db()
    deadline = request.deadline

    week_before = (deadline - timedelta(days=7)).isoformat()
    assert beat("remind-requests", today=week_before) == {"week": 1, "day": 0}
    assert beat("remind-requests", today=week_before) == {"week": 0, "day": 0}  # a re-run
    day_before = (deadline - timedelta(days=1)).isoformat()
    assert beat("remind-requests", today=day_before) == {"week": 0, "day": 1}
    reminded = list(
        Notification.objects.filter(
            client=part.client, subject__startswith="Atgādinājums"
        ).values_list("pk", flat=True)
    )
    assert len(reminded) == 2
    assert wait_emailed(reminded), "the worker did not email the reminders"

    after = (deadline + timedelta(days=1)).isoformat()
    assert beat("expire-requests", today=after) == {"expired": 1, "terminated": 0}
    request.refresh_from_db()
    assert request.state == RequestState.EXPIRED
    assert list(past_deadline(Request.objects.all())) == [request]  # the desk's line

    assert beat("expire-requests", today=(deadline + timedelta(days=3)).isoformat()) == {
        "expired": 0,
        "terminated": 0,
    }
    assert beat("expire-requests", today=(deadline + timedelta(days=4)).isoformat()) == {
        "expired": 0,
        "terminated": 1,
    }
    request.refresh_from_db()
    part.refresh_from_db()
    assert (request.state, part.status) == (RequestState.TERMINATED, OrderStatus.CANCELLED)


@pytest.mark.django_db(transaction=True)
def test_the_beat_without_a_date_expires_a_deadline_moved_into_the_past(celery_worker):  # noqa: F811
    part = OrderPartFactory(status=OrderStatus.IN_PROGRESS)
    request = services.raise_request(part, [ItemSpec("Plāns")], "Plāns.", by=None)
    # Time moved by the test: the deadline is now yesterday.
    Request.objects.filter(pk=request.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert beat("expire-requests") == {"expired": 1, "terminated": 0}
    assert beat("expire-requests") == {"expired": 0, "terminated": 0}
    request.refresh_from_db()
    assert request.state == RequestState.EXPIRED


@pytest.mark.django_db(transaction=True)
def test_an_unpaid_prepayment_is_reminded_once_by_the_worker(celery_worker):  # noqa: F811
    invoice = InvoiceFactory(issued_on=date(2026, 11, 20), due_on=date(2026, 12, 10))
    assert beat("remind-invoices-due", today="2026-12-08") == 1
    assert beat("remind-invoices-due", today="2026-12-09") == 0
    [notice] = Notification.objects.filter(client=invoice.client, kind=Notification.Kind.INVOICE)
    assert notice.subject == f"Rēķina {invoice.number} apmaksas termiņš pēc 2 dienām"
