"""Legal persons' accounts: applications, the staff decision, and the one way a legal person is made.

A legal person has no sign-in of its own. Its account exists once VZD staff approve an application
(submitted in the portal) or enter one received in person; both end in `create_legal_person`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Client, LegalPersonApplication, Membership, User
from accounts.notices import notify_application_approved, notify_application_rejected
from manskonts.workflow import StatusChangeError

log = logging.getLogger("manskonts.accounts")


def duplicate_error(registration_number: str) -> ValidationError | None:
    """Why an application for this number cannot be accepted now, or None."""
    if Client.objects.filter(registration_number=registration_number).exists():
        return ValidationError(
            _(
                "Juridiskā persona ar reģistrācijas numuru %(number)s jau ir reģistrēta Mans konts. "
                "Lūdziet tās administratoram pievienot Jūs kā lietotāju."
            )
            % {"number": registration_number},
            code="already_registered",
        )
    if (
        LegalPersonApplication.objects.pending()
        .filter(registration_number=registration_number)
        .exists()
    ):
        return ValidationError(
            _(
                "Pieteikums juridiskās personas ar reģistrācijas numuru %(number)s kontam jau ir "
                "izskatīšanā. Gaidiet lēmumu."
            )
            % {"number": registration_number},
            code="already_pending",
        )
    return None


def create_legal_person(
    *,
    registration_number: str,
    name: str,
    legal_address: str,
    email: str,
    phone: str,
    administrator: User,
    user_codes: Iterable[str] = (),
) -> Client:
    """Open a legal person's account: the client, its administrator and its users.

    Persons named by personal code who have never signed in are created, so they find the legal
    person among whom they act for at their first sign-in.
    """
    if error := duplicate_error_for_client(registration_number):
        raise error
    with transaction.atomic():
        try:
            with transaction.atomic():
                client = Client.objects.create(
                    kind=Client.Kind.LEGAL,
                    registration_number=registration_number,
                    name=name,
                    legal_address=legal_address,
                    email=email,
                    phone=phone,
                )
        except IntegrityError:
            raise duplicate_error_for_client(registration_number) or ValidationError(
                _("Juridisko personu neizdevās izveidot.")
            ) from None
        Membership.objects.create(client=client, user=administrator, role=Membership.Role.ADMIN)
        for code in dict.fromkeys(user_codes):
            if code == administrator.personal_code:
                continue
            person, _created = User.objects.get_or_create_person(code)
            Membership.objects.get_or_create(
                client=client, user=person, defaults={"role": Membership.Role.USER}
            )
    log.info("legal person created client_id=%s administrator_id=%s", client.pk, administrator.pk)
    return client


def duplicate_error_for_client(registration_number: str) -> ValidationError | None:
    if Client.objects.filter(registration_number=registration_number).exists():
        return ValidationError(
            _("Juridiskā persona ar reģistrācijas numuru %(number)s jau ir reģistrēta.")
            % {"number": registration_number},
            code="already_registered",
        )
    return None


def _locked_pending(application: LegalPersonApplication) -> LegalPersonApplication:
    locked = LegalPersonApplication.objects.select_for_update().get(pk=application.pk)
    if not locked.is_pending:
        raise StatusChangeError(
            _("Pieteikums jau ir izlemts: %(status)s.") % {"status": locked.get_status_display()},
            code="decided",
        )
    return locked


def approve_application(application: LegalPersonApplication, by: User) -> Client:
    """Approve: the legal person's account exists, the applicant administers it, and is told so."""
    with transaction.atomic():
        locked = _locked_pending(application)
        client = create_legal_person(
            registration_number=locked.registration_number,
            name=locked.name,
            legal_address=locked.legal_address,
            email=locked.email,
            phone=locked.phone,
            administrator=locked.applicant,
            user_codes=locked.user_codes,
        )
        locked.status = LegalPersonApplication.Status.APPROVED
        locked.client = client
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "client", "decided_at", "decided_by"])
        notify_application_approved(locked)
    log.info("application approved application_id=%s by=%s", locked.pk, by.pk)
    application.refresh_from_db()
    return client


def reject_application(application: LegalPersonApplication, by: User, reason: str) -> None:
    """Reject with a reason the applicant reads on their application page."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Norādiet noraidīšanas iemeslu."), code="reason_required")
    with transaction.atomic():
        locked = _locked_pending(application)
        locked.status = LegalPersonApplication.Status.REJECTED
        locked.rejection_reason = reason
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
        notify_application_rejected(locked)
    log.info("application rejected application_id=%s by=%s", locked.pk, by.pk)
    application.refresh_from_db()
