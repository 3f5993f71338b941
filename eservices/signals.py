"""Keep the e-service sort keys that depend on other rows: the first related order number and the
service's alphabetical rank."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Collate
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from eservices.filters import forget_service_groups
from eservices.models import EService
from manskonts.collation import SORT_LAST
from orders.models import Order, Service, ServiceGroup
from orders.signals import order_renumbered


def refresh_order_keys(eservice_ids: Iterable[int]) -> None:
    """Store each e-service's smallest related order number (or "~" when it has none)."""
    ids = list(eservice_ids)
    if not ids:
        return
    links = EService.orders.through.objects
    first = (
        links.filter(eservice_id=OuterRef("pk"))
        .order_by(Collate("order__number", "C"))
        .values("order__number")[:1]
    )
    EService.objects.filter(pk__in=ids).update(
        order_key=Coalesce(Subquery(first), Value(SORT_LAST))
    )


def refresh_service_ranks() -> None:
    """Copy every service's name_rank onto its e-services where it changed (after re-ranking)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE eservices_eservice e SET service_rank = s.name_rank
            FROM orders_service s
            WHERE s.id = e.service_id AND e.service_rank <> s.name_rank
            """
        )


@receiver(m2m_changed, sender=EService.orders.through)
def _orders_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear" and reverse:
        instance._cleared_eservice_ids = list(instance.eservices.values_list("pk", flat=True))
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_order_keys([instance.pk])
    elif action == "post_clear":
        refresh_order_keys(getattr(instance, "_cleared_eservice_ids", []))
    else:
        refresh_order_keys(pk_set or [])


@receiver(order_renumbered, sender=Order)
def _order_renumbered(sender, order, **kwargs):
    # The e-services linked to a renumbered order sort by their first order's new number.
    refresh_order_keys(order.eservices.values_list("pk", flat=True))


@receiver(pre_delete, sender=Order)
def _order_deleted(sender, instance, **kwargs):
    ids = list(instance.eservices.values_list("pk", flat=True))
    if ids:
        # The link rows go with the order; recompute once the deletion is committed.
        transaction.on_commit(lambda: refresh_order_keys(ids))


@receiver(post_save, sender=Service)
def _service_saved(sender, instance, **kwargs):
    # The admin re-ranks all services right after saving one; follow once that is committed.
    transaction.on_commit(refresh_service_ranks)


@receiver(post_save, sender=Service)
@receiver(post_delete, sender=Service)
@receiver(post_save, sender=ServiceGroup)
@receiver(post_delete, sender=ServiceGroup)
def _service_groups_changed(sender, **kwargs):
    forget_service_groups()
