"""A legal person's administrator manages its users: add by personal code, change role, remove.

Changes take effect at the user's next request: `accounts.acting_for.resolve_client` checks the
memberships on every request, so nothing session-side needs to be touched.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Client, Membership, User

log = logging.getLogger("manskonts.accounts")


def is_client_admin(user, client: Client | None) -> bool:
    if client is None or not client.is_legal or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(client=client, user=user, role=Membership.Role.ADMIN).exists()


def _keeps_an_admin(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(client_id=membership.client_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError(
            _(
                "Juridiskajai personai jāpaliek vismaz vienam administratoram. "
                "Vispirms piešķiriet administratora lomu citam lietotājam."
            ),
            code="last_admin",
        )


def add_user(client: Client, personal_code: str, role: str, *, by: User) -> Membership:
    """Make the person with this code a user of the legal person (creating the person if new)."""
    with transaction.atomic():
        person, _created = User.objects.get_or_create_person(personal_code)
        membership, created = Membership.objects.get_or_create(
            client=client, user=person, defaults={"role": role}
        )
        if not created:
            raise ValidationError(
                _("Persona ar šo personas kodu jau ir šīs juridiskās personas lietotājs."),
                code="already_user",
            )
    log.info(
        "membership added client_id=%s user_id=%s role=%s by=%s", client.pk, person.pk, role, by.pk
    )
    return membership


def change_role(membership: Membership, role: str, *, by: User) -> Membership:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == role:
            return membership
        if membership.role == Membership.Role.ADMIN:
            _keeps_an_admin(membership)
        membership.role = role
        membership.save(update_fields=["role"])
    log.info("membership role changed membership_id=%s role=%s by=%s", membership.pk, role, by.pk)
    return membership


def remove_user(membership: Membership, *, by: User) -> None:
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.role == Membership.Role.ADMIN:
            _keeps_an_admin(membership)
        membership.delete()
    log.info(
        "membership removed client_id=%s user_id=%s by=%s",
        membership.client_id,
        membership.user_id,
        by.pk,
    )
