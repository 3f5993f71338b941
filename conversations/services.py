"""What happens in conversations (the one place that changes them): a message posted by the
client's people or by VZD, with its attachments stored all or nothing; a thread read by the other
side; a clerk assigned; an order's thread moved with the order; attachments purged after
FILE_RETENTION_DAYS by the daily purge (documents.services.purge_expired_files), the text kept."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conversations import notices
from conversations.models import Attachment, Message, Thread
from documents.services import retention_cutoff
from eservices.models import EService
from manskonts.audit import log_bulk_created
from manskonts.storage import delete_stored
from manskonts.validation import CheckedUpload
from notifications.models import Notification
from orders.models import Order

log = logging.getLogger("manskonts.conversations")

MAX_TEXT = 5000
MAX_ATTACHMENTS = 5
PURGE_BATCH_SIZE = 500


def page_link(thread_or_target) -> str:
    """The client's page the conversation is on (the order's or the e-service's)."""
    target = thread_or_target.target if isinstance(thread_or_target, Thread) else thread_or_target
    if isinstance(target, Order):
        return reverse("orders:detail", args=[target.number])
    return reverse("eservices:detail", args=[target.pk])


def thread_of(target: Order | EService) -> Thread | None:
    """The conversation about an order or e-service, if anyone has written yet."""
    field = "order" if isinstance(target, Order) else "eservice"
    return Thread.objects.filter(**{field: target}).select_related("order", "eservice").first()


def thread_messages(thread: Thread | None) -> list[Message]:
    """The thread's messages, oldest first, with their authors, attachments and `is_new`."""
    if thread is None:
        return []
    return list(
        thread.messages.with_new_to_client()
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def attachment_gone(item: Attachment) -> str | None:
    """Why an attachment can no longer be downloaded (the page's words), or None: purged after
    FILE_RETENTION_DAYS, or never stored."""
    if item.is_deleted:
        return _("Datne dzēsta pēc 90 dienām.")
    if not item.file:
        return _("Datnes nav.")
    return None


def check_text(text: str) -> str:
    """The message's text, stripped; a Latvian refusal when empty or too long."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Uzrakstiet ziņu."), code="required")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("Ziņā var būt ne vairāk kā %(limit)s rakstzīmes (Jums — %(count)s).")
            % {"limit": MAX_TEXT, "count": len(text)},
            code="too_long",
        )
    return text


def author_name(user, *, from_staff: bool) -> str:
    """A clerk signs with their first name only ('VZD — Ilze'); the client's person in full."""
    if from_staff:
        return (user.first_name or "").strip()
    return user.get_full_name() or str(user)


def post_message(
    target: Order | EService,
    *,
    by,
    text: str,
    from_staff: bool,
    files: Iterable[CheckedUpload] = (),
) -> Message:
    """Add a message to the conversation about `target` (created with its first message) and
    tell the other side once committed. The thread row is locked, so two messages at once
    leave the right status. Files are stored all or nothing: if one fails, the ones written are
    deleted again and no message remains."""
    text = check_text(text)
    files = list(files)
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("Ziņai var pievienot ne vairāk kā %(limit)s datnes.") % {"limit": MAX_ATTACHMENTS},
            code="too_many",
        )
    field = "order" if isinstance(target, Order) else "eservice"
    stored: list[str] = []
    try:
        with transaction.atomic():
            thread, _created = Thread.objects.get_or_create(
                **{field: target}, defaults={"client_id": target.client_id}
            )
            thread = Thread.objects.select_for_update().get(pk=thread.pk)
            now = timezone.now()
            message = Message.objects.create(
                thread=thread,
                client_id=thread.client_id,
                from_staff=from_staff,
                author=by,
                author_name=author_name(by, from_staff=from_staff),
                text=text,
                created_at=now,
            )
            attachments = []
            for item in files:
                attachment = Attachment(
                    message=message,
                    client_id=thread.client_id,
                    original_name=item.display_name,
                    size=item.size,
                    content_type=item.content_type,
                    uploaded_at=now,
                )
                item.upload.seek(0)
                attachment.file.save(item.display_name, item.upload, save=False)
                stored.append(attachment.file.name)
                attachments.append(attachment)
            log_bulk_created(Attachment.objects.bulk_create(attachments))
            if from_staff:
                # Answering is reading: the client's messages before it are read by VZD.
                Message.objects.filter(thread=thread).unread_by_staff().update(read_at=now)
                thread.status, thread.waiting_since = Thread.Status.ANSWERED, None
            elif thread.status != Thread.Status.WAITING:
                thread.status, thread.waiting_since = Thread.Status.WAITING, now
            thread.last_message_at = now
            thread.save(update_fields=["status", "waiting_since", "last_message_at"])
            message.thread = thread
            setattr(thread, field, target)
            if from_staff:
                notices.notify_client_of_message(message, page_link(target))
            else:
                notices.tell_staff_of_message(message)
    except BaseException:
        for name in stored:
            try:
                delete_stored(name)
            except Exception:  # the original error matters more; the orphan is logged
                log.exception("could not remove orphaned attachment %s", name)
        raise
    log.info(
        "message thread=%s from_staff=%s attachments=%s by=%s",
        thread.pk,
        from_staff,
        len(files),
        getattr(by, "pk", None),
    )
    return message


def mark_read_by_client(thread: Thread, messages: Iterable[Message] | None = None) -> int:
    """One of the client's people opened the thread: VZD's messages are read (by the client's
    side, for all its people), and so are the notifications about them. Idempotent; with the
    messages already loaded for the page, nothing is written when none is unread."""
    if messages is not None and not any(m.from_staff and m.read_at is None for m in messages):
        return 0
    now = timezone.now()
    count = Message.objects.filter(thread=thread).unread_by_client().update(read_at=now)
    if count:
        Notification.objects.filter(
            client_id=thread.client_id,
            kind=Notification.Kind.MESSAGE,
            link=page_link(thread),
            read_at__isnull=True,
        ).update(read_at=now)
        for message in messages or ():
            if message.from_staff and message.read_at is None:
                message.read_at = now
    return count


def mark_read_by_staff(thread: Thread) -> int:
    """A clerk opened the thread: the client's messages are read by VZD. Idempotent."""
    return Message.objects.filter(thread=thread).unread_by_staff().update(read_at=timezone.now())


def assign(threads, user) -> int:
    """Make `user` (a VZD staff member) the clerk answering these threads; returns how many
    changed. Anyone else is a ValidationError and nothing changes."""
    if not user.is_staff:
        raise ValidationError(_("Sarunu var piešķirt tikai VZD darbiniekam."), code="staff")
    changed = 0
    for thread in threads:
        if thread.assignee_id != user.pk:
            thread.assignee = user
            thread.save(update_fields=["assignee"])  # one audit entry each
            changed += 1
    return changed


def move_order_thread(order: Order, new_client) -> None:
    """The order moved to another client: its conversation and attachments move with it, as its
    parts and documents do (orders.services.change_order_client, in its transaction)."""
    threads = Thread.objects.filter(order=order)
    Message.objects.filter(thread__in=threads).update(client=new_client)
    Attachment.objects.filter(message__thread__in=threads).update(client=new_client)
    threads.update(client=new_client)


# --- Retention ------------------------------------------------------------------------------------


def expired_attachments(now: datetime | None = None) -> Q:
    return Q(deleted_at__isnull=True, uploaded_at__lt=retention_cutoff(now))


def purge_expired_attachments(*, now: datetime | None = None, storage=None) -> tuple[int, int]:
    """Delete from storage every message attachment kept FILE_RETENTION_DAYS; keep the record
    (name, size, deleted_at) and the message. Registered with the daily documents purge.

    As there, a batch is first marked deleted and committed (rows locked SKIP LOCKED, so two runs
    never share one), then its objects are deleted from storage; each success clears the key with
    save() (an audit entry per file: the key and the deletion time), a failure un-marks the row
    for the next run. A run killed between the two leaves rows marked deleted with a key: the
    next run finishes those first. Returns (purged, failed)."""
    now = now or timezone.now()
    purged = failed = 0
    leftovers = list(Attachment.objects.filter(deleted_at__isnull=False).exclude(file=""))
    for attachment in leftovers:
        ok = _delete_object(attachment, storage)
        purged, failed = purged + ok, failed + (not ok)
    after: tuple[datetime, int] | None = None
    while True:
        with transaction.atomic():
            queue = Attachment.objects.filter(expired_attachments(now))
            if after is not None:
                queue = queue.filter(
                    Q(uploaded_at__gt=after[0]) | Q(uploaded_at=after[0], pk__gt=after[1])
                )
            batch = list(
                queue.order_by("uploaded_at", "id").select_for_update(skip_locked=True)[
                    :PURGE_BATCH_SIZE
                ]
            )
            if not batch:
                break
            after = (batch[-1].uploaded_at, batch[-1].pk)
            Attachment.objects.filter(pk__in=[a.pk for a in batch]).update(deleted_at=now)
        for attachment in batch:
            attachment.deleted_at = now
            ok = _delete_object(attachment, storage)
            purged, failed = purged + ok, failed + (not ok)
    if purged or failed:
        log.info("purge: %s message attachments deleted, %s failed", purged, failed)
    return purged, failed


def _delete_object(attachment: Attachment, storage) -> bool:
    try:
        delete_stored(attachment.file.name, storage)
    except Exception as error:  # any storage failure: the file stays, the next run retries
        log.warning("purge: storage refused attachment_id=%s: %r", attachment.pk, error)
        Attachment.objects.filter(pk=attachment.pk).update(deleted_at=None)
        return False
    attachment.file = ""
    attachment.save(update_fields=["file", "deleted_at"])
    return True
