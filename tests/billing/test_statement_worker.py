"""A 5,000-entry bank statement uploaded in the admin is imported by a real Celery worker on real
Redis: the request only saves the file, and the statement's page follows the import."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from billing.models import BankStatement, Payment, UnmatchedBankEntry
from tests.billing.helpers import camt053
from tests.factories import InvoiceFactory, OrderFactory, StaffFactory, UserFactory, own_client
from tests.worker import celery_worker  # noqa: F401 — fixture

pytestmark = pytest.mark.worker

ENTRIES = 5000


def wait_until_finished(statement: BankStatement, seconds: float) -> list[tuple[str, int]]:
    """Poll as a clerk reloading the page would; the states and counts seen on the way."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        statement.refresh_from_db()
        seen.append((statement.state, statement.processed))
        if statement.state in (BankStatement.State.DONE, BankStatement.State.FAILED):
            break
        time.sleep(0.3)
    return seen


@pytest.mark.django_db(transaction=True)
def test_a_large_statement_is_imported_by_the_worker_not_in_the_request(celery_worker):  # noqa: F811
    from django.contrib.auth.models import Group

    from accounts.roles import ACCOUNTANT

    # The invoices' client has no email address: the worker fixture reads the worker's output only
    # at the end, and 50 emails written by the console backend would fill that pipe.
    client = own_client(UserFactory(email=""))
    for n in range(50):
        InvoiceFactory(number=f"R2026-8{n:05d}", order=OrderFactory(client=client))
    entries = [
        (str(n), "13.45", "2026-06-19", f"R2026-8{n:05d}" if n < 50 else "bez rēķina numura")
        for n in range(ENTRIES - 1)
    ]
    entries.append(("overflow", "1000000000000000", "2026-06-19", "R2026-800000"))
    content = camt053("STMT-LARGE", entries)
    accountant = StaffFactory()
    accountant.groups.set([Group.objects.get(name=ACCOUNTANT)])
    http = HttpClient()
    http.force_login(accountant)

    started = time.monotonic()
    response = http.post(
        reverse("admin:billing_bankstatement_add"),
        {"xml_file": SimpleUploadedFile("liels.xml", content, "application/xml")},
    )
    request_seconds = time.monotonic() - started
    statement = BankStatement.objects.get()
    state_after_request = statement.state
    seen = wait_until_finished(statement, 180)
    import_seconds = time.monotonic() - started
    page = http.get(response.url).content.decode()

    print(f"request {request_seconds:.2f} s, import {import_seconds:.1f} s, {len(content)} bytes")
    assert response.status_code == 302
    assert state_after_request in ("queued", "running")  # the request did not import it
    assert seen[-1] == ("done", ENTRIES - 1)
    assert (statement.matched, statement.unmatched, statement.refused) == (50, ENTRIES - 51, 1)
    assert Payment.objects.count() == 50
    assert UnmatchedBankEntry.objects.count() == ENTRIES - 51
    assert "Importēts" in page
    assert f"apstrādāti ieraksti: {ENTRIES - 1} no {ENTRIES - 1}" in page
    assert "Ieraksts overflow nav importēts" in page
    assert f"Skatīt un sasaistīt ar rēķiniem ({ENTRIES - 51})" in page
    unmatched_list = http.get(
        reverse("admin:billing_unmatchedbankentry_changelist")
        + f"?statement__id__exact={statement.pk}"
    )
    assert unmatched_list.status_code == 200

    # The same file again, through the worker: all repeats, nothing added.
    http.post(
        reverse("admin:billing_bankstatement_add"),
        {"xml_file": SimpleUploadedFile("liels.xml", content, "application/xml")},
    )
    again = BankStatement.objects.latest("id")
    assert wait_until_finished(again, 180)[-1] == ("done", ENTRIES - 1)
    assert (again.matched, again.unmatched, again.already_imported) == (0, 0, ENTRIES - 1)
    assert Payment.objects.count() == 50
