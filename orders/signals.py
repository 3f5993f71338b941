"""Signals orders sends; apps above it receive them, so orders never imports them.

`order_renumbered(sender=Order, order=...)`: sent by Order.save after the number changed (the
parts already follow it); eservices receives it (eservices/signals.py) and refreshes its
e-services' order sort keys.
"""

from django.dispatch import Signal

order_renumbered = Signal()
