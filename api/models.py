"""Personal access tokens of the client API (docs/api.md).

A token is `mk_<prefix>_<secret>`: the prefix names the row (unique, shown in the list), the
secret is never stored — only the SHA-256 of the whole token. It acts for exactly one client, with
the scopes it was given, until it expires or is revoked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    READ = "read", _("Lasīt (e-pakalpojumi, pasūtījumi, rēķini, datnes)")
    DOCUMENTS_WRITE = "documents:write", _("Iesniegt datnes")
    MESSAGES_WRITE = "messages:write", _("Sūtīt ziņas un atbildes")


class ApiTokenQuerySet(models.QuerySet):
    def for_client(self, client) -> ApiTokenQuerySet:
        return self.filter(client=client)

    def active(self, now=None) -> ApiTokenQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    class Reason(models.TextChoices):
        BY_PERSON = "by_person", _("atsauca lietotājs")
        MEMBERSHIP = "membership", _("persona vairs nav administrators")

    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("klients"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("izveidoja"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("nosaukums"), max_length=100)
    prefix = models.CharField(_("prefikss"), max_length=16, unique=True, db_collation="C")
    secret_hash = models.CharField(max_length=64, editable=False)  # SHA-256 hex of the token
    scopes = ArrayField(
        models.CharField(max_length=20, choices=Scope.choices), verbose_name=_("tiesības")
    )
    created_at = models.DateTimeField(_("izveidots"), default=timezone.now)
    expires_at = models.DateTimeField(_("derīgs līdz"))
    last_used_at = models.DateTimeField(_("pēdējo reizi lietots"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("atsaukts"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("atsaukšanas iemesls"), max_length=20, choices=Reason.choices, blank=True
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API piekļuves atslēga")
        verbose_name_plural = _("API piekļuves atslēgas")
        indexes = [models.Index(fields=["client", "-created_at"], name="apitoken_client_created")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="apitoken_expires_after_created",
            ),
            models.CheckConstraint(condition=~Q(scopes=[]), name="apitoken_has_scopes"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class BackOfficeScope(models.TextChoices):
    """What a service account of VZD's case system may do (docs/api.md, the back-office API)."""

    ORDERS_WRITE = "orders:write", _("Pasūtījumi, to daļas un statusi")
    RESULTS_WRITE = "results:write", _("Rezultātu pievienošana")
    INVOICES_WRITE = "invoices:write", _("Rēķinu izrakstīšana")
    PAYMENTS_WRITE = "payments:write", _("Valsts budžetā saņemto maksājumu reģistrēšana")
    REQUESTS_WRITE = "requests:write", _("Pieprasījumi klientiem")
    MESSAGES_WRITE = "messages:write", _("VZD ziņas klientiem sarunās")


class ServiceAccount(models.Model):
    """VZD's case system (or another of VZD's systems) calling the back-office API: made by a
    superuser in the admin, its secret shown once and stored as SHA-256. It exchanges the client
    id and secret for a short-lived access token (OAuth 2.0 client credentials). Its `user` is
    the actor its writes are recorded under (the audit trail, the status history)."""

    name = models.CharField(_("nosaukums"), max_length=100)
    client_id = models.CharField(_("klienta ID"), max_length=40, unique=True, db_collation="C")
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = ArrayField(
        models.CharField(max_length=20, choices=BackOfficeScope.choices),
        verbose_name=_("tiesības"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("darbību veicējs"),
        on_delete=models.PROTECT,
        related_name="service_account",
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("izveidoja"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("izveidots"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("atsaukts"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("servisa konts")
        verbose_name_plural = _("servisa konti")
        constraints = [
            models.CheckConstraint(condition=~Q(scopes=[]), name="serviceaccount_has_scopes")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class ServiceAccessToken(models.Model):
    """A short-lived bearer token a service account got for its client id and secret."""

    account = models.ForeignKey(
        ServiceAccount, on_delete=models.CASCADE, related_name="access_tokens"
    )
    prefix = models.CharField(max_length=16, unique=True, db_collation="C")
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="serviceaccesstoken_expires")]

    def __str__(self) -> str:
        return self.prefix


class IdempotentRequest(models.Model):
    """A POST or PUT made with an Idempotency-Key, and the answer it got: the same key and body
    within 24 hours get the same answer again, the same key with another body a 422
    (api/idempotency.py). Keys belong to a client's token or to a service account."""

    token = models.ForeignKey(
        ApiToken, on_delete=models.CASCADE, related_name="idempotent_requests", null=True
    )
    service_account = models.ForeignKey(
        ServiceAccount, on_delete=models.CASCADE, related_name="idempotent_requests", null=True
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path, query and body
    status = models.PositiveSmallIntegerField(null=True)  # None while the first one runs
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotent_request_unique_key"),
            models.UniqueConstraint(
                fields=["service_account", "key"], name="idempotent_request_unique_service_key"
            ),
            models.CheckConstraint(
                condition=Q(token__isnull=True) ^ Q(service_account__isnull=True),
                name="idempotent_request_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_created")]

    def __str__(self) -> str:
        return f"{self.token_id or self.service_account_id}:{self.key}"
