"""Signals orders sends; apps above it receive them, so orders never imports them.

`order_renumbered(sender=Order, order=...)`: sent by Order.save after the number changed (the
parts already follow it); eservices receives it (eservices/signals.py) and refreshes its
e-services' order sort keys.

`order_client_changed(sender=Order, order=..., previous_client_id=..., new_client=...)`: sent by
orders.services.change_order_client inside its transaction, after the parts and invoices moved;
conversations receives it (conversations/receivers.py) and moves the order's conversation with it;
requisitions (requisitions/receivers.py) moves the requests on its parts.
"""

from django.dispatch import Signal

order_renumbered = Signal()
order_client_changed = Signal()
