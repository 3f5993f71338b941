"""Files submitted by clients and results prepared by VZD, kept in Django storage."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from signatures.report import Kind, Report, SignatureResult, Status, local_text


def storage_key(instance: Document, filename: str) -> str:
    """A generated key: never the client's file name as a path, never an overwrite."""
    now = timezone.now()
    return f"documents/{now:%Y/%m}/{uuid.uuid4().hex}"


class DocumentQuerySet(models.QuerySet):
    def for_client(self, client) -> DocumentQuerySet:
        return self.filter(Q(eservice__client=client) | Q(order_part__client=client))

    def available(self) -> DocumentQuerySet:
        return self.filter(deleted_at__isnull=True)


class SignatureStatus(models.TextChoices):
    """What the signature check of a PDF or ASiC-E document found (signatures.Status), or that it
    is still running; empty for the kinds that carry no signature (images, DOCX…)."""

    NONE = "", _("nav pārbaudāms")
    PENDING = "pending", _("pārbauda parakstu")
    VALID = "valid", _("parakstīts, derīgs")
    NO_TIMESTAMP = "no_timestamp", _("bez laika zīmoga")
    UNTRUSTED = "untrusted", _("sertifikāts nav uzticams")
    INVALID = "invalid", _("paraksts nav derīgs")
    UNSIGNED = "unsigned", _("nav parakstīts")
    MALFORMED = "malformed", _("parakstu nevar pārbaudīt")


class Document(models.Model):
    class Direction(models.TextChoices):
        SUBMITTED = "submitted", _("Iesniegts")
        RESULT = "result", _("Rezultāts")

    SignatureStatus = SignatureStatus

    file = models.FileField(_("datne"), upload_to=storage_key, max_length=200, blank=True)
    original_name = models.CharField(_("datnes nosaukums"), max_length=255)
    size = models.PositiveBigIntegerField(_("izmērs, baiti"))
    content_type = models.CharField(_("satura tips"), max_length=120)
    direction = models.CharField(_("virziens"), max_length=10, choices=Direction.choices)
    eservice = models.ForeignKey(
        "eservices.EService",
        verbose_name=_("e-pakalpojums"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    order_part = models.ForeignKey(
        "orders.OrderPart",
        verbose_name=_("pasūtījuma daļa"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("augšupielādēja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("augšupielādēts"), default=timezone.now)
    deleted_at = models.DateTimeField(_("dzēsts"), null=True, blank=True)
    # When the client was told the file expires soon; a file is reminded of once.
    expiry_reminded_at = models.DateTimeField(
        _("atgādināts par dzēšanu"), null=True, blank=True, editable=False
    )

    # The signature check (documents/signing.py): its status, the client's words, and the
    # validator's report (signatures.Report.summary(private=True): personal codes included, so
    # shown to staff only; the client pages read the words and the signer names).
    signature_status = models.CharField(
        _("paraksta pārbaude"),
        max_length=16,
        choices=SignatureStatus.choices,
        default=SignatureStatus.NONE,
        blank=True,
        editable=False,
    )
    signature_words = models.TextField(
        _("paraksta pārbaudes rezultāts"), blank=True, editable=False
    )
    signature_report = models.JSONField(
        _("paraksta pārbaudes atskaite"), null=True, blank=True, editable=False
    )
    signature_checked_at = models.DateTimeField(
        _("paraksts pārbaudīts"), null=True, blank=True, editable=False
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("dokuments")
        verbose_name_plural = _("dokumenti")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(eservice__isnull=False, order_part__isnull=True)
                    | Q(eservice__isnull=True, order_part__isnull=False)
                ),
                name="document_attached_to_one",
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["submitted", "result"]), name="document_valid_direction"
            ),
            models.CheckConstraint(
                condition=Q(signature_status__in=SignatureStatus.values),
                name="document_valid_signature_status",
            ),
        ]
        indexes = [
            # The retention purge walks e-service files by age, skipping deleted ones.
            models.Index(
                fields=["uploaded_at", "id"],
                name="document_purge_queue",
                condition=Q(eservice__isnull=False, deleted_at__isnull=True),
            ),
            # Marked deleted but the object not yet confirmed gone (a purge killed mid-batch):
            # the next run finishes these first. Almost always empty.
            models.Index(
                fields=["id"],
                name="document_purge_unfinished",
                condition=Q(deleted_at__isnull=False) & ~Q(file=""),
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def available_until(self):
        """E-service files are kept FILE_RETENTION_DAYS; order files have no such limit."""
        if self.eservice_id is None:
            return None
        return timezone.localdate(self.uploaded_at + timedelta(days=settings.FILE_RETENTION_DAYS))

    @property
    def signature_pending(self) -> bool:
        return self.signature_status == SignatureStatus.PENDING

    @property
    def signature_lines(self) -> list[str]:
        """The client's words, one line per signature (none while pending or for kinds that
        carry no signature). A result VZD signed reads "Parakstījis VZD" and the time, not the
        clerk's name. No personal code is ever in these words.

        Worded in the page's language from the stored report (its reasons are the Latvian
        source strings, so they translate too); `signature_words` keeps the Latvian line."""
        if self.signature_status in (SignatureStatus.NONE, SignatureStatus.PENDING):
            return []
        report = self.signature_report or {}
        signatures = report.get("signatures") or []
        if self.direction == self.Direction.RESULT and self.signature_status in (
            SignatureStatus.VALID,
            SignatureStatus.NO_TIMESTAMP,
        ):
            return [_vzd_words(self.signature_status, signatures)]
        try:
            results = [_result(entry) for entry in signatures]
            if len(results) > 1:
                return [result.words for result in results]
            whole = Report(
                status=Status(self.signature_status),
                kind=Kind(report.get("kind") or Kind.OTHER),
                reason=_translated(report.get("reason") or ""),
                signatures=results,
            )
            return [whole.words]
        except (ValueError, TypeError, KeyError, AttributeError):  # a report of an older shape
            return [self.signature_words] if self.signature_words else []

    @property
    def signature_ok(self) -> bool:
        return self.signature_status == SignatureStatus.VALID

    @property
    def container_files(self) -> list[dict]:
        """The data files inside a signed container, each with its position (the download's
        key): [{"index": 0, "name": "iesniegums.pdf", "size": 1234}, …]."""
        report = self.signature_report or {}
        if report.get("kind") not in ("asice", "asics"):
            return []
        return [
            {"index": index, "name": entry.get("name", ""), "size": entry.get("size", 0)}
            for index, entry in enumerate(report.get("data_files") or [])
        ]


def _translated(text: str) -> str:
    return gettext(text) if text else ""  # gettext("") is the catalogue's header


def _result(entry: dict) -> SignatureResult:
    """A stored signature summary (SignatureResult.summary) back as a result, to word it."""
    moment = entry.get("signing_time")
    return SignatureResult(
        status=Status(entry["status"]),
        reason=_translated(entry.get("reason") or ""),
        signer_name=entry.get("signer") or "",
        signing_time=datetime.fromisoformat(moment) if moment else None,
    )


def _vzd_words(status: str, signatures: list[dict]) -> str:
    """ "Parakstījis VZD, 05.03.2026 14:02, ar laika zīmogu" for a result VZD signed."""
    times = [s.get("signing_time") for s in signatures if s.get("signing_time")]
    when = local_text(datetime.fromisoformat(times[0])) if times else ""
    who = ", ".join(part for part in (str(_("Parakstījis VZD")), when) if part)
    if status == SignatureStatus.VALID:
        return _("%(who)s, ar laika zīmogu") % {"who": who}
    return _("%(who)s, bez laika zīmoga") % {"who": who}


class DocumentAuditEntry(models.Model):
    """What happened to a stored file and when: the retention purge writes one per file."""

    class Action(models.TextChoices):
        PURGED = "purged", _("Dzēsta pēc glabāšanas termiņa")
        PURGE_FAILED = "purge_failed", _("Dzēšana neizdevās")

    document = models.ForeignKey(
        Document,
        verbose_name=_("dokuments"),
        on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    action = models.CharField(_("darbība"), max_length=20, choices=Action.choices)
    at = models.DateTimeField(_("laiks"), default=timezone.now)
    storage_key = models.CharField(_("glabātuves atslēga"), max_length=200, blank=True)
    original_name = models.CharField(_("datnes nosaukums"), max_length=255)
    size = models.PositiveBigIntegerField(_("izmērs, baiti"))
    detail = models.CharField(_("piezīme"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("datnes audita ieraksts")
        verbose_name_plural = _("datņu audita žurnāls")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["purged", "purge_failed"]),
                name="document_audit_valid_action",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.original_name}"


class PurgeRun(models.Model):
    """One run of the retention purge (the daily beat task or the management command): when it
    started and finished and what it did. /healthz reports the last one."""

    started_at = models.DateTimeField(_("sākts"), default=timezone.now)
    finished_at = models.DateTimeField(_("pabeigts"), null=True, blank=True)
    files_purged = models.PositiveIntegerField(_("dzēstas datnes"), default=0)
    files_failed = models.PositiveIntegerField(_("neizdevās dzēst"), default=0)
    exports_purged = models.PositiveIntegerField(_("dzēstas Excel atskaites"), default=0)

    class Meta:
        verbose_name = _("dzēšanas izpilde")
        verbose_name_plural = _("dzēšanas izpildes")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}"
