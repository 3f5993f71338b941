"""A legal person's user removed, or no longer its administrator: the tokens they made for it stop
at once, in the same transaction (accounts.memberships makes the change; accounts sits below api,
so api listens to the membership's own model signals)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Membership
from api.tokens import revoke_for_person


@receiver(post_delete, sender=Membership, dispatch_uid="api.membership_removed")
def membership_removed(sender, instance: Membership, **kwargs) -> None:
    revoke_for_person(instance.client_id, instance.user_id)


@receiver(post_save, sender=Membership, dispatch_uid="api.membership_changed")
def membership_changed(sender, instance: Membership, created: bool, **kwargs) -> None:
    if not created and instance.role != Membership.Role.ADMIN:
        revoke_for_person(instance.client_id, instance.user_id)
