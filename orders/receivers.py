"""What orders does when billing reports something (billing sits below orders and never imports
it; connected in OrdersConfig.ready)."""

from __future__ import annotations

from django.dispatch import receiver

from billing.signals import order_paid_in_full
from orders.planning import schedule_parts


@receiver(order_paid_in_full, dispatch_uid="orders.schedule_on_payment")
def _schedule_on_payment(sender, order, paid_on, **kwargs):
    """An order just paid in full: its open parts get their planned dates, in the transaction
    that recorded the payment."""
    schedule_parts(order.parts.select_related("service"), paid_on)
