"""A legal person's administrator manages its users: add by personal code, change role, remove.

Changes take effect at the user's next request: `accounts.acting_for.resolve_client` checks the
memberships on every request, so nothing session-side needs to be touched.

Every change locks the legal person's administrator memberships in id order first (`_lock`), so
that "at least one administrator remains" and "the one changing is an administrator" hold when two
administrators act at the same moment.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Client, Membership, User

log = logging.getLogger("manskonts.accounts")


def is_client_admin(user, client: Client | None) -> bool:
    if client is None or not client.is_legal or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(client=client, user=user, role=Membership.Role.ADMIN).exists()


def _lock(client_id: int, by: User, target_pk: int | None = None) -> list[Membership]:
    """Lock every administrator membership of the legal person (and the membership to change),
    in one query ordered by id, and return them as they are now; refuse if `by` is no longer one
    of the administrators.

    One fixed lock order for every change of a legal person's users means two administrators
    changing each other at the same moment queue up instead of deadlocking, and reading the
    administrators under the lock means each check sees what the other change committed. Call
    inside `transaction.atomic()`.
    """
    wanted = Q(role=Membership.Role.ADMIN)
    if target_pk is not None:
        wanted |= Q(pk=target_pk)
    rows = list(
        Membership.objects.select_for_update().filter(wanted, client_id=client_id).order_by("id")
    )
    if not any(row.user_id == by.pk and row.role == Membership.Role.ADMIN for row in rows):
        # Demoted or removed by another administrator a moment ago: no longer theirs to change.
        raise PermissionDenied
    return rows


def _lock_for_change(membership: Membership, by: User) -> tuple[Membership, list[Membership]]:
    """The membership to change, locked, and the legal person's administrators (see `_lock`)."""
    rows = _lock(membership.client_id, by, membership.pk)
    locked = next((row for row in rows if row.pk == membership.pk), None)
    if locked is None:
        raise ValidationError(_("Šis lietotājs jau ir noņemts."), code="gone")
    return locked, [row for row in rows if row.role == Membership.Role.ADMIN]


def _keeps_an_admin(membership: Membership, admins: list[Membership]) -> None:
    if not any(admin.pk != membership.pk for admin in admins):
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
        _lock(client.pk, by)
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
        membership, admins = _lock_for_change(membership, by)
        if membership.role == role:
            return membership
        if membership.role == Membership.Role.ADMIN:
            _keeps_an_admin(membership, admins)
        membership.role = role
        membership.save(update_fields=["role"])
    log.info("membership role changed membership_id=%s role=%s by=%s", membership.pk, role, by.pk)
    return membership


def remove_user(membership: Membership, *, by: User) -> None:
    with transaction.atomic():
        membership, admins = _lock_for_change(membership, by)
        if membership.role == Membership.Role.ADMIN:
            _keeps_an_admin(membership, admins)
        membership.delete()
    log.info(
        "membership removed client_id=%s user_id=%s by=%s",
        membership.client_id,
        membership.user_id,
        by.pk,
    )
