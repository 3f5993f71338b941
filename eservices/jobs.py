"""The life of a background Excel export (`ExportJob`): claimed under a lease, built, finished once.

- **Claim.** A run takes a job with SELECT … FOR UPDATE and a conditional UPDATE that gives it a
  new `claim` token and a lease (`lease_until`, EXPORT_LEASE_SECONDS ahead). A finished or
  failed job is never built again; a running job whose lease is still valid belongs to a live
  worker and is left alone. So a message delivered twice (Redis re-delivers unacknowledged tasks
  after its visibility time-out) does the work once.
- **One per client.** A partial unique index allows one running job per client; a second one
  waits in PENDING (the page says so) and is handed to the broker again by the run that
  finishes the first.
- **Lease.** Every 10,000 rows the run renews its lease, conditional on its token. A run that
  finds its token gone (its job was taken over after it stalled) stops and deletes its file.
- **Finish.** "done", the file and the "ready" notification are one transaction, conditional on
  the token: however many runs there were, one notification.
- **Recovery.** `recover_exports` (Celery beat, every minute) finds running jobs whose lease ran
  out — their worker died — and hands them to the broker again (PENDING) or, after
  EXPORT_MAX_ATTEMPTS starts, fails them with a message; it also re-sends waiting jobs whose
  turn has come but whose message was consumed while another job of the client ran.
"""

from __future__ import annotations

import logging
import tempfile
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_noop

import outbox
from eservices.exporters import report_queryset, write_report
from eservices.models import ExportJob
from eservices.notices import notify_export_ready
from manskonts.excel import MAX_ROWS, TOO_MANY_ROWS
from manskonts.storage import delete_stored

BUILD_EXPORT = "eservices.tasks.build_export"
log = logging.getLogger("manskonts.exports")

# Stored untranslated (gettext_noop) and translated when shown, in the reader's language.
FAILED_BAD_FILTERS = gettext_noop("Atskaiti nevarēja sagatavot: tās filtri vairs nav derīgi.")
FAILED_ERROR = gettext_noop("Atskaiti neizdevās sagatavot kļūdas dēļ.")
FAILED_GAVE_UP = gettext_noop(
    "Atskaites sagatavošana vairākas reizes tika pārtraukta, jo apstājās darba process."
)
RESUMED = gettext_noop(
    "Sagatavošana tika pārtraukta, jo apstājās darba process; tā atsākta no sākuma."
)
Running = ExportJob.State.RUNNING


class LeaseLost(Exception):
    """This run's claim was taken over (its lease had run out): it must stop and clean up."""


def lease_seconds() -> int:
    return settings.EXPORT_LEASE_SECONDS


def _lease(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(seconds=lease_seconds())


def claim(job_id) -> tuple[ExportJob, uuid.UUID] | None:
    """Take the job for this run, or None when it must not run now (gone, finished, held by a
    live run, or another export of the client is running: then it stays waiting)."""
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update(of=("self",))
            .select_related("client")
            .filter(pk=job_id)
            .first()
        )
        if job is None or job.state in (ExportJob.State.DONE, ExportJob.State.FAILED):
            return None
        if job.state == Running and job.lease_until and job.lease_until > now:
            return None  # a live run holds it: a duplicate delivery
        if job.attempts >= settings.EXPORT_MAX_ATTEMPTS:
            _fail(job.pk, FAILED_GAVE_UP, now=now)
            return None
        try:
            with transaction.atomic():
                ExportJob.objects.filter(pk=job.pk).update(
                    state=Running,
                    claim=token,
                    lease_until=_lease(now),
                    attempts=F("attempts") + 1,
                    done=0,
                )
        except IntegrityError:  # exportjob_one_running_per_client: it waits its turn
            log.info("export job_id=%s waits for another export of its client", job.pk)
            return None
    job.refresh_from_db()
    return job, token


def renew(job_id, token: uuid.UUID, **fields) -> None:
    """Renew the lease (and record progress); LeaseLost when the claim is no longer ours."""
    updated = ExportJob.objects.filter(pk=job_id, claim=token, state=Running).update(
        lease_until=_lease(), **fields
    )
    if not updated:
        raise LeaseLost(str(job_id))


def _fail(job_id, message: str, *, now: datetime | None = None, token=None) -> bool:
    jobs = ExportJob.objects.filter(pk=job_id).exclude(
        state__in=[ExportJob.State.DONE, ExportJob.State.FAILED]
    )
    if token is not None:
        jobs = jobs.filter(claim=token)
    return bool(
        jobs.update(
            state=ExportJob.State.FAILED,
            message=message,
            finished_at=now or timezone.now(),
            claim=None,
            lease_until=None,
        )
    )


def build(job: ExportJob, token: uuid.UUID) -> None:
    """Build the claimed job's workbook, store it and tell the client, once."""
    queryset = report_queryset(job.client, QueryDict(job.query))
    if queryset is None:
        _fail(job.pk, FAILED_BAD_FILTERS, token=token)
        return
    total = queryset.count()
    if total > MAX_ROWS:  # more than a sheet holds (the page refuses it; the rows grew since)
        _fail(job.pk, TOO_MANY_ROWS, token=token)
        return
    renew(job.pk, token, total=total)
    stored = ""
    try:
        with tempfile.TemporaryFile() as target:
            count = write_report(
                queryset,
                target,
                with_user=job.client.is_legal,
                progress=lambda done: renew(job.pk, token, done=done),
            )
            target.seek(0)
            job.file.save(job.filename, File(target), save=False)
            stored = job.file.name
        with transaction.atomic():  # "done", the file and the notification appear together
            finished = ExportJob.objects.filter(pk=job.pk, claim=token, state=Running).update(
                state=ExportJob.State.DONE,
                file=stored,
                done=count,
                total=max(total, count),
                finished_at=timezone.now(),
                claim=None,
                lease_until=None,
                message="",
            )
            if not finished:
                raise LeaseLost(str(job.pk))
            notify_export_ready(job, count)
    except BaseException:
        if stored:  # not ours to keep: another run finished or will finish this job
            delete_stored(stored)
        raise


def run(job_id) -> None:
    """What the `build_export` task does: build this job if it may run now; then hand the
    client's next waiting job (the oldest) to the broker. Handed over, not built here, so it
    queues behind other clients' exports instead of jumping ahead of them."""
    claimed = claim(job_id)
    if claimed is None:
        return
    job, token = claimed
    try:
        build(job, token)
    except LeaseLost:
        log.warning("export job_id=%s was taken over by another run; this one stops", job.pk)
        return
    except Exception:
        log.exception("export job_id=%s failed", job.pk)
        _fail(job.pk, FAILED_ERROR, token=token)
    hand_over_next(job.client_id)


def hand_over_next(client_id) -> None:
    """Send the client's oldest waiting export to the broker (its first message may have been
    consumed while this one ran; a second delivery is harmless)."""
    with transaction.atomic():
        waiting = (
            ExportJob.objects.filter(client_id=client_id, state=ExportJob.State.PENDING)
            .order_by("created_at")
            .values_list("pk", flat=True)
            .first()
        )
        if waiting is None:
            return
        ExportJob.objects.filter(pk=waiting).update(enqueued_at=timezone.now())
        outbox.send_task(BUILD_EXPORT, args=[str(waiting)])


def recover(now: datetime | None = None) -> dict:
    """Resume or fail jobs whose worker died (lease ran out), and re-send waiting jobs whose turn
    has come. Returns what it did, for the beat log."""
    now = now or timezone.now()
    resumed = failed = resent = 0
    with transaction.atomic():
        stalled = list(
            ExportJob.objects.select_for_update(skip_locked=True)
            .filter(Q(lease_until__lt=now) | Q(lease_until__isnull=True), state=Running)
            .values_list("pk", "attempts")
        )
        for pk, attempts in stalled:
            if attempts >= settings.EXPORT_MAX_ATTEMPTS:
                _fail(pk, FAILED_GAVE_UP, now=now)
                failed += 1
                log.warning("export job_id=%s failed after %s attempts", pk, attempts)
                continue
            ExportJob.objects.filter(pk=pk).update(
                state=ExportJob.State.PENDING,
                claim=None,
                lease_until=None,
                done=0,
                message=RESUMED,
                enqueued_at=now,
            )
            outbox.send_task(BUILD_EXPORT, args=[str(pk)])
            resumed += 1
            log.warning("export job_id=%s lost its worker; queued again", pk)
        # A client's oldest waiting job, when none of theirs runs and it was handed over long
        # enough ago that its message must have been consumed while another job ran.
        busy = ExportJob.objects.filter(state=Running).values("client_id")
        waiting = (
            ExportJob.objects.filter(
                state=ExportJob.State.PENDING,
                enqueued_at__lt=now - timedelta(seconds=lease_seconds()),
            )
            .exclude(client_id__in=busy)
            .order_by("client_id", "created_at")
            .distinct("client_id")
            .values_list("pk", flat=True)
        )
        for pk in list(waiting):
            ExportJob.objects.filter(pk=pk, state=ExportJob.State.PENDING).update(enqueued_at=now)
            outbox.send_task(BUILD_EXPORT, args=[str(pk)])
            resent += 1
    return {"resumed": resumed, "failed": failed, "resent": resent}


def purge_expired_exports(
    *, now: datetime | None = None, storage=None, batch_size: int = 500
) -> tuple[int, int]:
    """Delete the files of exports ready more than EXPORT_RETENTION_DAYS ago; keep the records
    (`deleted_at`, shown as "Dzēsta"). Like the document purge: marked deleted and committed
    before the object is deleted, the key cleared after; a run killed in between is finished
    by the next one, a storage failure un-marks its job for the next run. Returns (purged,
    failed)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    purged = failed = 0
    skip: list = []
    leftovers = Q(deleted_at__isnull=False) & ~Q(file="")
    expired = Q(state=ExportJob.State.DONE, deleted_at__isnull=True, finished_at__lt=cutoff)
    for due in (leftovers, expired):
        while True:
            with transaction.atomic():
                batch = list(
                    ExportJob.objects.filter(due)
                    .exclude(pk__in=skip)
                    .order_by("finished_at", "pk")
                    .select_for_update(skip_locked=True)
                    .values_list("pk", "file")[:batch_size]
                )
                if not batch:
                    break
                ExportJob.objects.filter(pk__in=[pk for pk, _key in batch], deleted_at=None).update(
                    deleted_at=now
                )
            # Committed: these jobs say "deleted" before their objects go.
            gone, kept = [], []
            for pk, key in batch:
                try:
                    delete_stored(key, storage)
                except Exception as error:  # any storage failure: retried by the next run
                    log.warning("export purge: storage refused job_id=%s: %r", pk, error)
                    kept.append(pk)
                else:
                    gone.append(pk)
            with transaction.atomic():
                purged += ExportJob.objects.filter(pk__in=gone).exclude(file="").update(file="")
                ExportJob.objects.filter(pk__in=kept).exclude(file="").update(deleted_at=None)
            failed += len(kept)
            skip.extend(kept)
    return purged, failed
