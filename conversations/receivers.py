"""Where conversations hooks into the apps below it (imported by ConversationsConfig.ready):

- the header's unread count (notifications.unread): VZD's messages none of the client's people
  opened yet, counted instead of the notifications about them;
- the daily purge (documents.services.register_retention_purge): attachments follow the files'
  FILE_RETENTION_DAYS rule;
- an order moved to another client (orders.signals.order_client_changed): its thread moves too;
- the order and e-service pages (manskonts.page_blocks): the thread block and its summary line.
"""

from __future__ import annotations

from django.dispatch import receiver

from conversations.blocks import BLOCKS
from conversations.models import Message
from conversations.services import move_order_thread, purge_expired_attachments
from documents.services import register_retention_purge
from manskonts import page_blocks
from notifications import unread
from notifications.models import Notification
from orders.models import Order
from orders.signals import order_client_changed

unread.register(
    unread.UnreadSource(
        key="conversations",
        # The partial index message_unread_by_client answers it.
        sql=(
            f"(SELECT count(*) FROM {Message._meta.db_table} msg"  # noqa: S608 — a table name
            " WHERE msg.client_id = c.id AND msg.from_staff AND msg.read_at IS NULL)"
        ),
        instead_of_kinds=(Notification.Kind.MESSAGE.value,),
    )
)

register_retention_purge("message_attachments", purge_expired_attachments)

for block in BLOCKS:
    page_blocks.register(block)


@receiver(order_client_changed, sender=Order, dispatch_uid="conversations.move_order_thread")
def _move_thread(sender, order, new_client, **kwargs) -> None:
    move_order_thread(order, new_client)
