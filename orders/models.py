"""VZD's services, and the orders registered at VZD with their parts and status history."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manskonts.client_move import ClientChangeRefused, ClientGuardedQuerySet
from manskonts.identifier_fields import CadastralField
from orders.signals import order_renumbered
from orders.workflow import FINAL_STATUSES, OrderStatus

# Workflow order of the seven statuses, for sorting by status.
STATUS_RANKS = {value: i for i, value in enumerate(OrderStatus.values, start=1)}


class ServiceGroup(models.Model):
    code = models.SlugField(_("kods"), max_length=40, unique=True)
    name = models.CharField(_("nosaukums"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("pakalpojuma grupa")
        verbose_name_plural = _("pakalpojumu grupas")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A service from VZD's price list."""

    class TermKind(models.TextChoices):
        WORKING_DAYS = "working", _("darba dienas")
        CALENDAR_DAYS = "calendar", _("kalendāra dienas")
        ONLINE = "online", _("tiešsaistē")
        SUBSCRIPTION = "subscription", _("abonements")
        NONE = "none", _("nav noteikts")

    code = models.SlugField(_("kods"), max_length=60, unique=True)
    name = models.CharField(_("nosaukums"), max_length=200, unique=True)
    group = models.ForeignKey(
        ServiceGroup, verbose_name=_("grupa"), on_delete=models.PROTECT, related_name="services"
    )
    price = models.DecimalField(
        _("cena, EUR"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Tukšs, ja cenu nosaka pēc tāmes."),
    )
    price_note = models.CharField(_("cenas piezīme"), max_length=120, blank=True)
    term_kind = models.CharField(
        _("termiņa veids"), max_length=12, choices=TermKind.choices, default=TermKind.WORKING_DAYS
    )
    term_days = models.PositiveSmallIntegerField(_("termiņš, dienas"), null=True, blank=True)
    prepayment_percent = models.PositiveSmallIntegerField(
        _("priekšapmaksa, %"), default=100, help_text=_("0 — bez priekšapmaksas.")
    )
    required_documents = models.TextField(
        _("nepieciešamie dokumenti"),
        blank=True,
        help_text=_("Kas klientam jāiesniedz pakalpojuma izpildei; rāda pasūtījuma lapā."),
    )
    signature_required = models.BooleanField(
        _("iesniegumiem vajadzīgs e-paraksts"),
        default=False,
        help_text=_(
            "Klienta iesniegtajām datnēm jābūt parakstītām ar drošu elektronisko parakstu un "
            "laika zīmogu (.edoc vai parakstīts PDF); neparakstītu vai nederīgi parakstītu datni "
            "atsaka jau augšupielādējot."
        ),
    )
    request_reply_days = models.PositiveSmallIntegerField(
        _("atbildes termiņš pieprasījumam, kalendāra dienas"),
        default=30,
        help_text=_(
            "Cik kalendāra dienās klientam jāatbild uz VZD pieprasījumu; termiņš, kas iekrīt "
            "brīvdienā vai svētku dienā, pārceļas uz nākamo darba dienu."
        ),
    )
    request_auto_terminate_days = models.PositiveSmallIntegerField(
        _("pārtraukt automātiski, dienas pēc pieprasījuma termiņa"),
        null=True,
        blank=True,
        help_text=_(
            "Tukšs — nepārtraukt automātiski: par pieprasījumu, kura termiņš beidzies, lemj "
            "darbinieks. Skaitlis — tik kalendāra dienas pēc termiņa izpilde tiek pārtraukta."
        ),
    )
    # Position of the name in Latvian alphabetical order (Ā after A, Č after C…), kept by
    # orders.services.rank_services so lists sort by an integer, whatever the database collation.
    name_rank = models.PositiveIntegerField(_("kārtas numurs alfabētā"), default=0, editable=False)

    class Meta:
        verbose_name = _("pakalpojums")
        verbose_name_plural = _("pakalpojumi")
        ordering = ["name_rank", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(prepayment_percent__lte=100), name="service_prepayment_percent_max_100"
            ),
            models.CheckConstraint(
                condition=Q(
                    term_kind__in=["working", "calendar", "online", "subscription", "none"]
                ),
                name="service_valid_term_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrderQuerySet(ClientGuardedQuerySet):
    def for_client(self, client) -> OrderQuerySet:
        return self.filter(client=client)


class Order(models.Model):
    """An order registered at VZD, in the portal or at a customer service centre."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Portālā Kadastrs.lv")
        IN_PERSON = "in_person", _("Klātienē")

    number = models.CharField(_("pasūtījuma Nr."), max_length=20, unique=True)
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    created_at = models.DateTimeField(_("izveidošanas datums"), default=timezone.now)
    channel = models.CharField(
        _("kanāls"), max_length=10, choices=Channel.choices, default=Channel.PORTAL
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("pasūtījums")
        verbose_name_plural = _("pasūtījumi")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-created_at", "-id"], name="order_client_created")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        stored = None
        if self.pk is not None and not self._state.adding:
            stored = Order.objects.filter(pk=self.pk).values_list("number", "client_id").first()
        if stored is not None and stored[1] != self.client_id:
            # The parts, invoices and documents go with the order's client: only
            # orders.services.change_order_client moves them, together and on the record.
            raise ClientChangeRefused(
                "Order.client changes only through orders.services.change_order_client"
            )
        renumbered = stored is not None and stored[0] != self.number
        super().save(*args, **kwargs)
        if renumbered:
            # The parts carry the number for sorting; e-services carry their first order's.
            self.parts.update(order_number=self.number)
            order_renumbered.send(sender=Order, order=self)

    @property
    def accepts_documents(self) -> bool:
        """A client may still submit documents: some part is neither completed nor terminated."""
        return self.parts.exclude(status__in=FINAL_STATUSES).exists()


class OrderPartQuerySet(ClientGuardedQuerySet):
    def for_client(self, client) -> OrderPartQuerySet:
        return self.filter(client=client)

    def with_history_and_documents(self) -> OrderPartQuerySet:
        """An order's parts as its page (and the API) shows them, in part order.

        Each with its service, its status history oldest first (`status_changes.all`) and its
        files oldest first in `listed_documents`, which `submitted_documents` and
        `result_documents` split: three queries for any number of parts.
        """
        # The model through the relation, not an import: documents sits above orders.
        document = self.model._meta.get_field("documents").related_model
        return (
            self.select_related("service", "order")
            .prefetch_related(
                models.Prefetch(
                    "status_changes",
                    queryset=OrderPartStatusChange.objects.order_by("changed_at", "id"),
                ),
                models.Prefetch(
                    "documents",
                    queryset=document.objects.order_by("uploaded_at", "id"),
                    to_attr="listed_documents",
                ),
            )
            .order_by("part_number")
        )


class OrderPart(models.Model):
    """One service to perform within an order: the rows of "Mani pasūtījumi VZD"."""

    class Delivery(models.TextChoices):
        VZD_ACCOUNT = "vzd_account", _("VZD kontā")
        EMAIL = "email", _("E-pastā")
        POST = "post", _("Pa pastu")
        IN_PERSON = "in_person", _("Klātienē")

    order = models.ForeignKey(
        Order, verbose_name=_("pasūtījums"), on_delete=models.CASCADE, related_name="parts"
    )
    # The order's client, repeated so that list pages filter and sort one table by one index.
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="order_parts",
        editable=False,
    )
    part_number = models.PositiveSmallIntegerField(_("pasūtījuma daļas numurs"))
    service = models.ForeignKey(
        Service, verbose_name=_("pakalpojums"), on_delete=models.PROTECT, related_name="order_parts"
    )
    object_code = CadastralField(_("objekts"), blank=True)
    delivery_method = models.CharField(
        _("pakalpojumu saņemšanas veids"),
        max_length=12,
        choices=Delivery.choices,
        default=Delivery.VZD_ACCOUNT,
    )
    status = models.CharField(
        _("statuss"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.APPLIED
    )
    status_changed_at = models.DateTimeField(_("statusa izmaiņu datums"), default=timezone.now)
    planned_completion_date = models.DateField(
        _("plānotais izpildes termiņš"), null=True, blank=True
    )
    # The planned date before a suspension first moved it (orders.planning.resume_shift); empty
    # while it never moved. The order page shows both.
    original_planned_completion_date = models.DateField(
        _("sākotnējais plānotais izpildes termiņš"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("izveidošanas datums"), default=timezone.now)
    # A request of VZD on this part waits for the client's answer. Kept by requisitions.services
    # in the transaction of each request's step (and cleared here when the part closes), so the
    # list's tag and filter "Gaida manu atbildi" read this row alone.
    awaiting_reply = models.BooleanField(
        _("gaida klienta atbildi"), default=False, db_default=False, editable=False
    )

    # Sort keys kept by save() (and Order.save for a renumbered order): the order number, so the
    # table sorts by one index on (client, number, part, id), and the workflow position of the status.
    order_number = models.CharField(max_length=20, default="", db_collation="C", editable=False)
    status_rank = models.PositiveSmallIntegerField(default=0, editable=False)

    objects = OrderPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("pasūtījuma daļa")
        verbose_name_plural = _("pasūtījuma daļas")
        ordering = ["order__number", "part_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "part_number"], name="order_part_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_part_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(delivery_method__in=["vzd_account", "email", "post", "in_person"]),
                name="order_part_valid_delivery",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-created_at", "-id"], name="part_client_created"),
            models.Index(fields=["client", "status", "-id"], name="part_client_status"),
            models.Index(
                fields=["client", "order_number", "part_number", "id"], name="part_client_number"
            ),
            models.Index(
                fields=["client", "part_number", "order_number", "id"], name="part_client_part"
            ),
            models.Index(fields=["client", "status_rank", "id"], name="part_client_status_rank"),
            # The filter "Gaida manu atbildi": the few rows awaiting the client, any sort.
            models.Index(
                fields=["client", "-created_at", "-id"],
                name="part_client_awaiting",
                condition=Q(awaiting_reply=True),
            ),
            models.Index(
                fields=["client", "object_code"],
                name="part_client_object",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.part_number}"

    def save(self, *args, **kwargs):
        self.status_rank = STATUS_RANKS.get(self.status, 0)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "status" in update_fields:
            kwargs["update_fields"] = {*update_fields, "status_rank"}
        copies = {"order", "client", "order_number"}
        if not self.order_id or (update_fields is not None and not copies & set(update_fields)):
            super().save(*args, **kwargs)
            return
        if update_fields is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *copies}
        with transaction.atomic():
            # The client and number are the order's as stored now, never a copy held in memory;
            # the order row lock waits for a change_order_client under way, so a save racing it
            # cannot write the old client back.
            self.client_id, self.order_number = (
                Order.objects.select_for_update(no_key=True)
                .filter(pk=self.order_id)
                .values_list("client_id", "number")
                .get()
            )
            super().save(*args, **kwargs)

    @property
    def submitted_documents(self) -> list:
        """The client's files, from `with_history_and_documents` (its `listed_documents`)."""
        return [d for d in self.listed_documents if d.direction == d.Direction.SUBMITTED]

    @property
    def result_documents(self) -> list:
        """VZD's results, from `with_history_and_documents` (its `listed_documents`)."""
        return [d for d in self.listed_documents if d.direction == d.Direction.RESULT]

    @property
    def status_description(self) -> str:
        return OrderStatus.description(self.status)

    @property
    def accepts_documents(self) -> bool:
        """Neither completed nor terminated: documents may still be submitted to it."""
        return self.status not in FINAL_STATUSES


class OrderPartStatusChange(models.Model):
    """Every status change of an order part: from, to, when, who."""

    part = models.ForeignKey(
        OrderPart,
        verbose_name=_("pasūtījuma daļa"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    from_status = models.CharField(
        _("no statusa"), max_length=12, choices=OrderStatus.choices, blank=True
    )
    to_status = models.CharField(_("uz statusu"), max_length=12, choices=OrderStatus.choices)
    changed_at = models.DateTimeField(_("laiks"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mainīja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("piezīme"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("statusa maiņa")
        verbose_name_plural = _("statusa vēsture")
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["part", "changed_at"], name="part_status_change_time")]

    def __str__(self) -> str:
        # The labels a clerk reads ("Pieteikts → Reģistrēts"), never the stored codes.
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class OrderClientChange(models.Model):
    """An order moved to another client, with its parts, invoices and documents: who, when, from,
    to, why, and what went with it. Written only by orders.services.change_order_client."""

    order = models.ForeignKey(
        Order,
        verbose_name=_("pasūtījums"),
        on_delete=models.PROTECT,
        related_name="client_changes",
    )
    from_client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("no klienta"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("uz klientu"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("laiks"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mainīja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("iemesls"), max_length=255)
    moved_parts = models.PositiveIntegerField(_("pārvietotas daļas"), default=0)
    moved_invoices = models.PositiveIntegerField(_("pārvietoti rēķini"), default=0)
    unlinked_eservices = ArrayField(
        models.PositiveIntegerField(),
        verbose_name=_("atsaistītie e-pakalpojumi"),
        default=list,
        blank=True,
        help_text=_("Iepriekšējā klienta e-pakalpojumi, kas vairs nav saistīti ar pasūtījumu."),
    )

    class Meta:
        verbose_name = _("klienta maiņa")
        verbose_name_plural = _("klienta maiņas")
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_client=models.F("to_client")),
                name="order_client_change_to_another",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}: {self.from_client} → {self.to_client}"
