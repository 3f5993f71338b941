"""Requests from VZD (Pieprasījumi): what a clerk asks a client for on an order part or an
e-service, by when, the client's answer, and every step on the record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from requisitions.workflow import AWAITING_CLIENT, RequestState


class RequestQuerySet(models.QuerySet):
    def for_client(self, client) -> RequestQuerySet:
        return self.filter(client=client)

    def awaiting_client(self) -> RequestQuerySet:
        return self.filter(state__in=AWAITING_CLIENT)


class Request(models.Model):
    """A clerk's request to the client for documents or information, with a deadline."""

    order_part = models.ForeignKey(
        "orders.OrderPart",
        verbose_name=_("pasūtījuma daļa"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requests",
    )
    eservice = models.ForeignKey(
        "eservices.EService",
        verbose_name=_("e-pakalpojums"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="requests",
    )
    # The part's or e-service's client, repeated so that client pages filter one table by it
    # (like OrderPart.client). Set by requisitions.services.raise_request.
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.PROTECT,
        related_name="requests",
        editable=False,
    )
    text = models.TextField(_("kas nepieciešams"))
    deadline = models.DateField(_("atbildes termiņš"))
    state = models.CharField(
        _("stāvoklis"), max_length=12, choices=RequestState.choices, default=RequestState.OPEN
    )
    state_changed_at = models.DateTimeField(_("stāvokļa maiņas laiks"), default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pieprasīja"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("pieprasīts"), default=timezone.now)
    # This request put the part Apturēts, so settling it resumes the part.
    suspended_part = models.BooleanField(_("apturēja izpildi"), default=False)
    # The clerk who settles it ("Piešķirt man" on the desk); empty: anyone of the role.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("atbildīgais darbinieks"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        limit_choices_to={"is_staff": True},
    )
    template = models.ForeignKey(
        "requisitions.RequestTemplate",
        verbose_name=_("veidne"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The deadline each reminder was sent for: sent once per deadline, again after an extension.
    reminded_week_for = models.DateField(
        _("atgādinājums 7 dienas iepriekš par termiņu"), null=True, blank=True, editable=False
    )
    reminded_day_for = models.DateField(
        _("atgādinājums 1 dienu iepriekš par termiņu"), null=True, blank=True, editable=False
    )

    objects = RequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("pieprasījums")
        verbose_name_plural = _("pieprasījumi")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(eservice__isnull=False, order_part__isnull=True)
                    | Q(eservice__isnull=True, order_part__isnull=False)
                ),
                name="request_on_one_part_or_eservice",
            ),
            models.CheckConstraint(
                condition=Q(state__in=RequestState.values), name="request_valid_state"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "state", "deadline"], name="request_client_state"),
            models.Index(fields=["state", "deadline"], name="request_state_deadline"),
        ]

    def __str__(self) -> str:
        return _("Pieprasījums Nr. %(id)s (%(target)s)") % {"id": self.pk, "target": self.target}

    @property
    def target(self):
        """The order part or e-service the request is about."""
        return self.order_part if self.order_part_id else self.eservice

    def days_left(self, today=None) -> int:
        """Calendar days until the deadline (negative once past)."""
        return (self.deadline - (today or timezone.localdate())).days

    def days_left_text(self, today=None) -> str:
        """The days left in words: 'Atlikušas 3 dienas', 'Termiņš ir šodien', '… beidzies'."""
        days = self.days_left(today)
        if days < 0:
            return gettext("Termiņš ir beidzies")
        if days == 0:
            return gettext("Termiņš ir šodien")
        return ngettext("Atlikusi %(count)d diena", "Atlikušas %(count)d dienas", days) % {
            "count": days
        }


class RequestItem(models.Model):
    """One point of the request's checklist."""

    class Kind(models.TextChoices):
        FILE = "file", _("Datne")
        INFORMATION = "information", _("Informācija")

    request = models.ForeignKey(
        Request, verbose_name=_("pieprasījums"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("kārtas numurs"), default=0)
    name = models.CharField(_("nosaukums"), max_length=255)
    kind = models.CharField(_("veids"), max_length=12, choices=Kind.choices, default=Kind.FILE)
    # Files answering it must be validly signed: requisitions.services.save_draft refuses others
    # (documents.signing.require_signatures; the answer form checks with check_uploads).
    signed_required = models.BooleanField(_("vajadzīgs e-parakstīts dokuments"), default=False)

    class Meta:
        verbose_name = _("pieprasījuma punkts")
        verbose_name_plural = _("pieprasījuma punkti")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["file", "information"]), name="request_item_valid_kind"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    """The client's answer: a draft kept across visits until submitted, then read-only. A request
    asked again gets a new answer; the earlier ones stay."""

    request = models.ForeignKey(
        Request, verbose_name=_("pieprasījums"), on_delete=models.CASCADE, related_name="answers"
    )
    message = models.TextField(_("ziņa"), blank=True)
    created_at = models.DateTimeField(_("sākts"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sāka"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("iesniegts"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("iesniedza"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("atbilde")
        verbose_name_plural = _("atbildes")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request"],
                condition=Q(submitted_at__isnull=True),
                name="answer_one_draft_per_request",
            ),
        ]

    def __str__(self) -> str:
        return _("Atbilde uz %(request)s") % {"request": self.request}

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class AnswerItem(models.Model):
    """The answer to one point: text, files (documents.Document rows submitted to the request's
    part or e-service), or both."""

    answer = models.ForeignKey(
        Answer, verbose_name=_("atbilde"), on_delete=models.CASCADE, related_name="items"
    )
    item = models.ForeignKey(
        RequestItem, verbose_name=_("punkts"), on_delete=models.CASCADE, related_name="answers"
    )
    text = models.TextField(_("teksts"), blank=True)
    documents = models.ManyToManyField(
        "documents.Document", verbose_name=_("datnes"), blank=True, related_name="answer_items"
    )

    class Meta:
        verbose_name = _("atbildes punkts")
        verbose_name_plural = _("atbildes punkti")
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "item"], name="answer_item_once"),
        ]

    def __str__(self) -> str:
        return str(self.item)


class RequestEvent(models.Model):
    """Every step of a request: what, from which state to which, when, who, and why."""

    class Action(models.TextChoices):
        RAISED = "raised", _("Pieprasīts")
        ANSWERED = "answered", _("Atbilde iesniegta")
        ACCEPTED = "accepted", _("Atbilde pieņemta")
        ASKED_AGAIN = "asked_again", _("Pieprasīts vēlreiz")
        EXTENDED = "extended", _("Termiņš pagarināts")
        EXPIRED = "expired", _("Termiņš beidzies")
        TERMINATED = "terminated", _("Izpilde pārtraukta")
        WITHDRAWN = "withdrawn", _("Pieprasījums atsaukts")
        ASSIGNED = "assigned", _("Piešķirts darbiniekam")

    request = models.ForeignKey(
        Request, verbose_name=_("pieprasījums"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("darbība"), max_length=12, choices=Action.choices)
    from_state = models.CharField(
        _("no stāvokļa"), max_length=12, choices=RequestState.choices, blank=True
    )
    to_state = models.CharField(_("uz stāvokli"), max_length=12, choices=RequestState.choices)
    at = models.DateTimeField(_("laiks"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("kas"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    deadline = models.DateField(_("termiņš"), null=True, blank=True)
    note = models.TextField(_("piezīme"), blank=True)

    class Meta:
        verbose_name = _("pieprasījuma notikums")
        verbose_name_plural = _("pieprasījuma vēsture")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.get_to_state_display()}"


class RequestTemplate(models.Model):
    """A request a clerk starts from for one service: its text and checklist, edited in the admin
    ("Iesniedziet zemes robežu plānu…")."""

    service = models.ForeignKey(
        "orders.Service",
        verbose_name=_("pakalpojums"),
        on_delete=models.CASCADE,
        related_name="request_templates",
    )
    name = models.CharField(_("nosaukums"), max_length=120)
    text = models.TextField(_("kas nepieciešams"))
    active = models.BooleanField(_("piedāvāt"), default=True)

    class Meta:
        verbose_name = _("pieprasījuma veidne")
        verbose_name_plural = _("pieprasījumu veidnes")
        ordering = ["service__name_rank", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="request_template_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.name}"


class RequestTemplateItem(models.Model):
    """One checklist point a request from the template starts with."""

    template = models.ForeignKey(
        RequestTemplate, verbose_name=_("veidne"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("kārtas numurs"), default=0)
    name = models.CharField(_("nosaukums"), max_length=255)
    kind = models.CharField(
        _("veids"), max_length=12, choices=RequestItem.Kind.choices, default=RequestItem.Kind.FILE
    )
    signed_required = models.BooleanField(_("vajadzīgs e-parakstīts dokuments"), default=False)

    class Meta:
        verbose_name = _("veidnes punkts")
        verbose_name_plural = _("veidnes punkti")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["file", "information"]),
                name="request_template_item_valid_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name
