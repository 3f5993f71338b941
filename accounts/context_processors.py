from accounts.models import Client


def acting_for(request):
    """The active client, whom else the person may act for, and unread notifications (lazily)."""
    client = getattr(request, "client", None)
    if client is None:
        return {
            "active_client": None,
            "client_choices": [],
            "unread_notifications": 0,
            "manages_users": False,
        }

    def choices():
        return list(Client.objects.for_user(request.user).order_by("kind", "name"))

    def unread():
        from notifications.models import Notification

        return Notification.objects.for_recipient(request.user, client).unread().count()

    def manages_users():
        from accounts.memberships import is_client_admin

        return is_client_admin(request.user, client)

    return {
        "active_client": client,
        "client_choices": choices,
        "unread_notifications": unread,
        "manages_users": manages_users,
    }
