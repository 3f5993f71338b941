"""People (users), clients (a natural person's own account or a legal person) and memberships."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from manskonts.identifiers import (
    format_personal_code,
    normalize_personal_code,
    validate_personal_code,
    validate_registration_number,
)


class PersonManager(UserManager):
    def get_or_create_person(self, personal_code: str, **details) -> tuple[User, bool]:
        """The natural person with this personal code, created at first sign-in with their client.

        The code is checked here too (ValidationError), whoever passes it: a form, the identity
        provider or an application approved long after it was sent."""
        personal_code = normalize_personal_code(personal_code)
        user, created = self.get_or_create(
            personal_code=personal_code,
            defaults={"username": f"PK:{personal_code}", **details},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        Client.objects.get_or_create_for_person(user)
        return user, created


class User(AbstractBaseUser, PermissionsMixin):
    """A natural person who signs in through the identity provider, or a VZD staff member.

    Persons are identified by personal code (the identity provider's `PK:<code>`); staff sign in to
    the admin with username and password and have no personal code unless they are clients too.
    """

    username = models.CharField(_("lietotājvārds"), max_length=150, unique=True)
    personal_code = models.CharField(
        _("personas kods"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_personal_code],
    )
    first_name = models.CharField(_("vārds"), max_length=150, blank=True)
    last_name = models.CharField(_("uzvārds"), max_length=150, blank=True)
    email = models.EmailField(_("e-pasts"), blank=True)
    is_staff = models.BooleanField(_("VZD darbinieks"), default=False)
    is_active = models.BooleanField(_("aktīvs"), default=True)
    date_joined = models.DateTimeField(_("reģistrēts"), default=timezone.now)
    # Whom the person acted for last (accounts.acting_for): the next sign-in starts there.
    last_client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("pēdējoreiz pārstāvētais klients"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = PersonManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("lietotājs")
        verbose_name_plural = _("lietotāji")
        constraints = [
            models.CheckConstraint(
                condition=Q(personal_code__isnull=True) | Q(personal_code__regex=r"^[0-9]{11}$"),
                name="user_personal_code_11_digits",
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.username

    @property
    def personal_code_display(self) -> str:
        return format_personal_code(self.personal_code or "")


class ClientQuerySet(models.QuerySet):
    def for_user(self, user) -> ClientQuerySet:
        """Whom this person may act for: themselves, and every legal person they are a user of."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(person=user) | Q(memberships__user=user, kind=Client.Kind.LEGAL))

    def get_or_create_for_person(self, user) -> Client:
        """The natural person's own client, created on first use."""
        client, _created = self.get_or_create(
            person=user,
            defaults={"kind": Client.Kind.NATURAL, "name": user.get_full_name() or user.username},
        )
        return client


class Client(models.Model):
    """Whose e-services, orders and invoices these are: a natural person or a legal person."""

    class Kind(models.TextChoices):
        NATURAL = "natural", _("Fiziska persona")
        LEGAL = "legal", _("Juridiska persona")

    kind = models.CharField(_("veids"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("nosaukums"), max_length=255)
    person = models.OneToOneField(
        User,
        verbose_name=_("fiziskā persona"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="own_client",
    )
    registration_number = models.CharField(
        _("reģistrācijas numurs"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_registration_number],
    )
    legal_address = models.CharField(_("juridiskā adrese"), max_length=255, blank=True)
    email = models.EmailField(_("kontaktu e-pasts"), blank=True)
    phone = models.CharField(_("tālrunis"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("izveidots"), default=timezone.now)

    objects = ClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("klients")
        verbose_name_plural = _("klienti")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="natural", person__isnull=False, registration_number__isnull=True)
                    | Q(kind="legal", person__isnull=True, registration_number__isnull=False)
                ),
                name="client_kind_matches_identifier",
            ),
            models.CheckConstraint(
                condition=Q(registration_number__isnull=True)
                | Q(registration_number__regex=r"^[4569][0-9]{10}$"),
                name="client_registration_number_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_legal(self) -> bool:
        return self.kind == self.Kind.LEGAL

    def users(self):
        return User.objects.filter(memberships__client=self).order_by("last_name", "first_name")


class Membership(models.Model):
    """A natural person who is a user of a legal person, with a role."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrators")
        USER = "user", _("Lietotājs")

    client = models.ForeignKey(
        Client,
        verbose_name=_("juridiskā persona"),
        on_delete=models.CASCADE,
        related_name="memberships",
        limit_choices_to={"kind": Client.Kind.LEGAL},
    )
    user = models.ForeignKey(
        User, verbose_name=_("lietotājs"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("loma"), max_length=10, choices=Role.choices, default=Role.USER)
    created_at = models.DateTimeField(_("pievienots"), default=timezone.now)

    class Meta:
        verbose_name = _("pārstāvības tiesības")
        verbose_name_plural = _("pārstāvības tiesības")
        constraints = [
            models.UniqueConstraint(fields=["client", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=Q(role__in=["admin", "user"]), name="membership_valid_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.client} ({self.get_role_display()})"


def application_document_key(instance: LegalPersonApplication, filename: str) -> str:
    """A generated storage key: the applicant's file name is never a path."""
    now = timezone.now()
    return f"applications/{now:%Y/%m}/{uuid.uuid4().hex}"


class LegalPersonApplicationQuerySet(models.QuerySet):
    def for_applicant(self, user) -> LegalPersonApplicationQuerySet:
        """The applications this person submitted; nobody else's."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(applicant=user)

    def pending(self) -> LegalPersonApplicationQuerySet:
        return self.filter(status=LegalPersonApplication.Status.PENDING)


class LegalPersonApplication(models.Model):
    """A natural person's application to open a legal person's account; VZD staff decide it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Izskatīšanā")
        APPROVED = "approved", _("Apstiprināts")
        REJECTED = "rejected", _("Noraidīts")

    class Authority(models.TextChoices):
        BOARD_MEMBER = "board", _("Valdes loceklis")
        POWER_OF_ATTORNEY = "attorney", _("Pilnvarotā persona")

    applicant = models.ForeignKey(
        User,
        verbose_name=_("iesniedzējs"),
        on_delete=models.PROTECT,
        related_name="legal_person_applications",
    )
    registration_number = models.CharField(
        _("reģistrācijas numurs"), max_length=11, validators=[validate_registration_number]
    )
    name = models.CharField(_("nosaukums"), max_length=255)
    legal_address = models.CharField(_("juridiskā adrese"), max_length=255)
    email = models.EmailField(_("kontaktu e-pasts"))
    phone = models.CharField(_("tālrunis"), max_length=30)
    authority = models.CharField(_("pārstāvības pamats"), max_length=10, choices=Authority.choices)
    authority_document = models.FileField(
        _("pārstāvību apliecinošs dokuments"), upload_to=application_document_key, max_length=200
    )
    authority_document_name = models.CharField(_("dokumenta nosaukums"), max_length=255)
    authority_document_type = models.CharField(_("dokumenta satura tips"), max_length=120)
    # Personal codes (11 digits) of the persons to add as the legal person's users.
    user_codes = models.JSONField(_("lietotāju personas kodi"), default=list, blank=True)
    status = models.CharField(
        _("statuss"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("iesniegts"), default=timezone.now)
    decided_at = models.DateTimeField(_("izlemts"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("izlēma"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("noraidīšanas iemesls"), blank=True)
    client = models.ForeignKey(
        Client,
        verbose_name=_("izveidotais klients"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LegalPersonApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("juridiskās personas konta pieteikums")
        verbose_name_plural = _("juridisko personu kontu pieteikumi")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One application under review per legal person at a time.
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=Q(status="pending"),
                name="application_one_pending_per_number",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "rejected"]),
                name="application_valid_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                name="application_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(client__isnull=False),
                name="application_approval_has_client",
            ),
        ]
        indexes = [models.Index(fields=["applicant", "-created_at"], name="application_applicant")]

    def __str__(self) -> str:
        return f"{self.name} ({self.registration_number})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
