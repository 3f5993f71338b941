"""What requests do when an app below them says something changed.

- an order moved to another client (orders.signals.order_client_changed, inside
  change_order_client's transaction): the requests on its parts move with it, so their notices
  (reminders, accepted, terminated …) go to the new client's people and never to the previous one.
"""

from __future__ import annotations

from django.dispatch import receiver

from orders.models import Order
from orders.signals import order_client_changed
from requisitions.models import Request


@receiver(order_client_changed, sender=Order, dispatch_uid="requisitions.move_order_requests")
def move_order_requests(sender, order, new_client, **kwargs) -> None:
    Request.objects.filter(order_part__order=order).update(client=new_client)
