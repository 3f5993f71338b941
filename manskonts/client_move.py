"""A client's records move to another client only through the one function that moves them all
together and on the record (orders.services.change_order_client). A plain `save()` of an order is
refused by the model; this guards the bulk paths a save never sees: `QuerySet.update(client=…)`
and `bulk_update(…, ["client"])` on the querysets that mix it in.

    with moving_client():
        Invoice.objects.filter(order=order).update(client=new_client)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

_moving: ContextVar[bool] = ContextVar("moving_client", default=False)
GUARDED = frozenset({"client", "client_id"})


class ClientChangeRefused(Exception):
    """A record's client was changed outside orders.services.change_order_client."""


@contextmanager
def moving_client() -> Iterator[None]:
    """The block in which the moving function may change the client of guarded rows."""
    token = _moving.set(True)
    try:
        yield
    finally:
        _moving.reset(token)


def _refuse(model, fields) -> None:
    if GUARDED & set(fields) and not _moving.get():
        raise ClientChangeRefused(
            f"{model._meta.label}.client changes only through orders.services.change_order_client"
        )


class ClientGuardedQuerySet(models.QuerySet):
    """Refuses a bulk change of `client` outside `moving_client()`."""

    def update(self, **kwargs):
        _refuse(self.model, kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        _refuse(self.model, fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)
