"""Signals billing sends; apps above it receive them, so billing never imports them.

`order_paid_in_full(sender=Order model, order=..., paid_on=...)`: sent inside the transaction that
recorded the payment (billing.services.record_payments), when an order has just become paid in
full. orders receives it (orders/signals.py) and gives the order's parts their planned dates.
"""

from django.dispatch import Signal

order_paid_in_full = Signal()
