"""E-services requested on the portal, their status history and the orders registered for them."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manskonts.client_move import ClientChangeRefused, ClientGuardedQuerySet
from manskonts.collation import latvian_sort_string
from manskonts.identifier_fields import CadastralField
from orders.models import Service


class EServiceStatus(models.TextChoices):
    # The source lists no e-service statuses; this small set says what a client needs to know.
    SUBMITTED = "submitted", _("Iesniegts")
    PROCESSING = "processing", _("Apstrādē")
    COMPLETED = "completed", _("Izpildīts")
    REJECTED = "rejected", _("Noraidīts")
    CANCELLED = "cancelled", _("Atcelts")


# Done with: a client submits no more documents to an e-service in these.
CLOSED_STATUSES = frozenset(
    {EServiceStatus.COMPLETED, EServiceStatus.REJECTED, EServiceStatus.CANCELLED}
)

# Workflow order, for sorting by status (the codes themselves sort meaninglessly).
STATUS_RANKS = {value: i for i, value in enumerate(EServiceStatus.values, start=1)}

ESERVICE_TRANSITIONS: dict[str, frozenset[str]] = {
    EServiceStatus.SUBMITTED: frozenset(
        {
            EServiceStatus.PROCESSING,
            EServiceStatus.COMPLETED,
            EServiceStatus.REJECTED,
            EServiceStatus.CANCELLED,
        }
    ),
    EServiceStatus.PROCESSING: frozenset(
        {EServiceStatus.COMPLETED, EServiceStatus.REJECTED, EServiceStatus.CANCELLED}
    ),
    EServiceStatus.COMPLETED: frozenset(),
    EServiceStatus.REJECTED: frozenset(),
    EServiceStatus.CANCELLED: frozenset(),
}


class EServiceQuerySet(ClientGuardedQuerySet):
    def for_client(self, client) -> EServiceQuerySet:
        return self.filter(client=client)


class EService(models.Model):
    """An e-service a client requested on the portal. Its primary key is the E-pakalpojuma ID."""

    # No single-column indexes on the foreign keys: every list reads by client through the
    # (client, ...) indexes below, and a lone index on the user or the service tempts PostgreSQL
    # into bitmap-ANDing hundreds of thousands of entries for a filtered page. Deleting a user or a
    # service (rare, in the admin) reads the table instead.
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="eservices",
        db_index=False,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lietotājs"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requested_eservices",
        db_index=False,
    )
    service = models.ForeignKey(
        "orders.Service",
        verbose_name=_("pakalpojums"),
        on_delete=models.PROTECT,
        related_name="eservices",
        db_index=False,
    )
    object_code = CadastralField(_("objekts"), blank=True)
    created_at = models.DateTimeField(_("izveidošanas datums"), default=timezone.now)
    received_at = models.DateTimeField(
        _("saņemšanas datums"),
        null=True,
        blank=True,
        help_text=_("Kad e-pakalpojuma rezultāts nonāca pie klienta."),
    )
    status = models.CharField(
        _("statuss"),
        max_length=12,
        choices=EServiceStatus.choices,
        default=EServiceStatus.SUBMITTED,
    )
    status_changed_at = models.DateTimeField(_("izmaiņu datums"), default=timezone.now)
    # NULL, not "", means "no label", so the per-client unique constraint ignores unlabelled rows.
    label = models.CharField(  # noqa: DJ001
        _("klienta piešķirtais identifikators"), max_length=100, null=True, blank=True
    )
    # A request of VZD on this e-service waits for the client's answer (kept by
    # requisitions.services with each request's step, cleared here when the e-service closes).
    awaiting_reply = models.BooleanField(
        _("gaida klienta atbildi"), default=False, db_default=False, editable=False
    )
    orders = models.ManyToManyField(
        "orders.Order",
        verbose_name=_("saistītie pasūtījumi"),
        blank=True,
        related_name="eservices",
    )
    # The case system's own key for an e-service it registered through the back-office API
    # (PUT /api/v1/backoffice/eservices/external/{id}); NULL for those made otherwise, so that it
    # is unique only among those that have one.
    external_id = models.CharField(
        _("lietu sistēmas ID"),
        max_length=40,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        db_collation="C",
    )

    # Sort keys kept by save() and eservices.signals, so that every sort of the history table reads
    # one index on (client, key, id): the service's Latvian alphabetical rank, the workflow position
    # of the status, the first related order number and the own label as Latvian sort strings
    # ("~" = none, sorts last).
    service_rank = models.PositiveIntegerField(default=0, editable=False)
    status_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    order_key = models.CharField(max_length=21, default="~", db_collation="C", editable=False)
    label_key = models.CharField(max_length=420, default="~", db_collation="C", editable=False)

    objects = EServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-pakalpojums")
        verbose_name_plural = _("e-pakalpojumi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "client",
                Lower("label"),
                name="eservice_label_unique_per_client",
                condition=Q(label__isnull=False),
                violation_error_message=_("Jums jau ir e-pakalpojums ar šādu identifikatoru."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=EServiceStatus.values), name="eservice_valid_status"
            ),
            models.CheckConstraint(condition=~Q(label=""), name="eservice_label_not_empty"),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at", "-id"], name="eservice_client_created"),
            models.Index(fields=["client", "-id"], name="eservice_client_id"),
            models.Index(fields=["client", "service_rank", "id"], name="eservice_client_service"),
            models.Index(fields=["client", "status_rank", "id"], name="eservice_client_status"),
            models.Index(
                fields=["client", "status_changed_at", "id"], name="eservice_client_changed"
            ),
            models.Index(fields=["client", "order_key", "id"], name="eservice_client_order"),
            # Also the own label's prefix filter in every sort: it carries the sort columns, so a
            # page's ids come from it alone (an index-only scan and a top-N sort of the matches,
            # manskonts.listing.ids_first), not from the heap rows of every match.
            models.Index(
                fields=["client", "label_key", "id"],
                name="eservice_client_label",
                include=[
                    "created_at",
                    "service_rank",
                    "status_rank",
                    "status_changed_at",
                    "order_key",
                ],
            ),
            # The filter "Gaida manu atbildi": the few rows awaiting the client, any sort.
            models.Index(
                fields=["client", "-created_at", "-id"],
                name="eservice_client_awaiting",
                condition=Q(awaiting_reply=True),
            ),
            # The user filter, alone or with a service group and the sort by service name.
            models.Index(
                fields=["client", "requested_by", "service_rank", "id"], name="eservice_client_user"
            ),
            # Also the report's totals by service and status: an index-only scan, not a heap read.
            models.Index(
                fields=["client", "received_at", "id"],
                name="eservice_client_received",
                condition=Q(received_at__isnull=False),
                include=["service", "status"],
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if (
            self.pk is not None
            and not self._state.adding
            and (update_fields is None or {"client", "client_id"} & set(update_fields))
        ):
            stored = EService.objects.filter(pk=self.pk).values_list("client_id", flat=True)
            if stored and stored[0] != self.client_id:
                # Its files, conversation and requests are its client's: an e-service is never
                # moved to another one (the admin shows the client read-only once it is added).
                raise ClientChangeRefused("EService.client never changes once it is added")
        self.refresh_sort_keys()
        if update_fields is not None:
            extra = set()
            if "status" in update_fields:
                extra.add("status_rank")
            if "label" in update_fields:
                extra.add("label_key")
            if "service" in update_fields or "service_id" in update_fields:
                extra.add("service_rank")
            kwargs["update_fields"] = set(update_fields) | extra
        super().save(*args, **kwargs)

    @property
    def accepts_documents(self) -> bool:
        """Neither completed nor terminated: documents may still be submitted to it."""
        return self.status not in CLOSED_STATUSES

    def refresh_sort_keys(self) -> None:
        """The sort keys that follow from this row's own fields (order_key follows its orders)."""
        self.status_rank = STATUS_RANKS.get(self.status, 0)
        self.label_key = latvian_sort_string(self.label)
        if self.service_id is not None:
            service = self._state.fields_cache.get("service")
            if service is None or service.pk != self.service_id:
                service = Service.objects.only("name_rank").get(pk=self.service_id)
            self.service_rank = service.name_rank


class EServiceStatusChange(models.Model):
    eservice = models.ForeignKey(
        EService,
        verbose_name=_("e-pakalpojums"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("no statusa"), max_length=12, choices=EServiceStatus.choices, blank=True
    )
    to_status = models.CharField(_("uz statusu"), max_length=12, choices=EServiceStatus.choices)
    changed_at = models.DateTimeField(_("laiks"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mainīja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("statusa maiņa")
        verbose_name_plural = _("statusa vēsture")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["eservice", "changed_at"], name="eservice_change_time")]

    def __str__(self) -> str:
        # The labels a clerk reads ("Pieteikts → Reģistrēts"), never the stored codes.
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class ExportJobQuerySet(models.QuerySet):
    def for_client(self, client) -> ExportJobQuerySet:
        return self.filter(client=client)


class ExportJob(models.Model):
    """A large Excel report built by a Celery worker; its file is downloadable only by its client.

    The worker building it holds a lease (`claim`, `lease_until`), renewed as rows are written; a
    job whose lease ran out lost its worker and is resumed or failed by `recover_exports`. One
    job per client runs at a time (a partial unique index); the others wait in PENDING. The file
    is kept EXPORT_RETENTION_DAYS after it is ready, then the daily purge deletes it and sets
    `deleted_at` (the record stays).
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Gaida rindā")
        RUNNING = "running", _("Tiek sagatavota")
        DONE = "done", _("Gatava")
        FAILED = "failed", _("Neizdevās")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pieprasīja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    query = models.CharField(_("filtri"), max_length=2000, blank=True)
    state = models.CharField(
        _("stāvoklis"), max_length=10, choices=State.choices, default=State.PENDING
    )
    total = models.PositiveIntegerField(_("rindu kopā"), default=0)
    done = models.PositiveIntegerField(_("rindas sagatavotas"), default=0)
    file = models.FileField(_("datne"), upload_to="exports/%Y/%m/", blank=True, max_length=200)
    created_at = models.DateTimeField(_("izveidots"), default=timezone.now)
    finished_at = models.DateTimeField(_("pabeigts"), null=True, blank=True)
    # The lease of the run building it: which run (a new token per claim) and until when.
    claim = models.UUIDField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(_("darba process aktīvs līdz"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("mēģinājumi"), default=0)
    # When it was last handed to the broker (the request, or `recover_exports` re-queuing it).
    enqueued_at = models.DateTimeField(_("nodots izpildei"), default=timezone.now)
    message = models.CharField(_("paziņojums klientam"), max_length=255, blank=True)
    deleted_at = models.DateTimeField(_("dzēsts"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("Excel atskaite")
        verbose_name_plural = _("Excel atskaites")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["client", "-created_at"], name="exportjob_client_created"),
            # `recover_exports` each minute: running jobs by lease, waiting ones by hand-over.
            models.Index(
                fields=["lease_until"],
                name="exportjob_running_lease",
                condition=Q(state="running"),
            ),
            models.Index(
                fields=["enqueued_at"], name="exportjob_pending", condition=Q(state="pending")
            ),
            # The daily purge: ready files by age.
            models.Index(
                fields=["finished_at"],
                name="exportjob_purge_queue",
                condition=Q(state="done", deleted_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(state="running"),
                name="exportjob_one_running_per_client",
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, self.done * 100 // self.total)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def state_label(self) -> str:
        """What the client is shown: "Dzēsta" once the purge removed the file."""
        return _("Dzēsta") if self.is_deleted else self.get_state_display()

    @property
    def available_until(self):
        """Until when a ready file can be downloaded (EXPORT_RETENTION_DAYS after it was ready)."""
        if self.state != self.State.DONE or self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=settings.EXPORT_RETENTION_DAYS)

    @property
    def filename(self) -> str:
        return f"e-pakalpojumi-{timezone.localtime(self.created_at):%Y-%m-%d-%H%M}.xlsx"
