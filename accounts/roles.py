"""VZD staff roles as Django groups, and what each may do in the admin.

A migration calls `sync_staff_groups`; when a later change adds a model or a permission, a new
migration calls it again so the groups stay in step. `docs/roles.md` is the human-readable
contract (one row per admin model, one column per role), asserted by tests/accounts/test_roles.py.
No role holds permissions on users' rights or on groups: those are for superusers only (and the
admin enforces it whatever the permissions say, accounts/admin.py).
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions

CLERK = "Klientu apkalpošana"
ACCOUNTANT = "Grāmatvedība"
ACCOUNT_REVIEWER = "Kontu pieteikumu izskatīšana"
CLIENT_CONTACT = "Klientu saziņa"

# group -> {app_label.model: actions}
ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    CLERK: {
        "orders.order": ("view", "add", "change"),
        "orders.orderpart": ("view", "add", "change"),
        "orders.orderpartstatuschange": ("view",),
        "orders.orderclientchange": ("view",),
        "orders.service": ("view",),
        "orders.servicegroup": ("view",),
        "eservices.eservice": ("view", "change"),
        "eservices.eservicestatuschange": ("view",),
        # add: results attached on an order part's or e-service's page; records are never edited.
        "documents.document": ("view", "add"),
        "documents.documentauditentry": ("view",),
        # export: the list as shown, to Excel (manskonts/admin_export.py)
        "billing.invoice": ("view", "export"),
        "billing.payment": ("view", "export"),
        "billing.overpayment": ("view",),
        "accounts.client": ("view",),
        "accounts.user": ("view",),
        "accounts.membership": ("view",),
    },
    ACCOUNTANT: {
        "billing.invoice": ("view", "add", "change", "export"),
        "billing.payment": ("view", "add", "export"),
        "billing.overpayment": ("view", "refund"),
        "billing.bankstatement": ("view", "add"),
        "billing.unmatchedbankentry": ("view", "change", "export"),
        "billing.paymentattempt": ("view",),
        "billing.callbackdelivery": ("view",),
        "orders.order": ("view",),
        "orders.orderpart": ("view",),
        "orders.orderclientchange": ("view",),
        "accounts.client": ("view",),
    },
    ACCOUNT_REVIEWER: {
        "accounts.legalpersonapplication": ("view", "change"),
        "accounts.client": ("view", "add", "change"),
        "accounts.membership": ("view", "add", "change", "delete"),
        # view only: to pick the person of a membership. A user's page holds their rights, and
        # legal persons' people are created from their personal codes when an account is opened.
        "accounts.user": ("view",),
    },
    CLIENT_CONTACT: {
        # Raise requests (their checklist inline), settle them from the desk's lists and actions
        # (accept, ask again, extend, terminate, withdraw, assign to me: all need change).
        "requisitions.request": ("view", "add", "change"),
        "requisitions.requestitem": ("view", "add"),
        # The client's answers and the request's history: read on the request's page.
        "requisitions.answer": ("view",),
        "requisitions.answeritem": ("view",),
        "requisitions.requestevent": ("view",),
        "requisitions.requesttemplate": ("view", "add", "change", "delete"),
        "requisitions.requesttemplateitem": ("view", "add", "change", "delete"),
        # What a request is about, and the files an answer brought: read only.
        "orders.orderpart": ("view",),
        "eservices.eservice": ("view",),
        "orders.service": ("view",),
        "orders.servicegroup": ("view",),
        "documents.document": ("view",),
        # The clients' conversations: read, answer with attachments and "Piešķirt man" (change),
        # start one on an order or e-service (add); never deleted.
        "conversations.thread": ("view", "add", "change"),
    },
}


def sync_staff_groups(apps) -> None:
    """Create the groups and give each exactly its permissions (usable from a migration)."""
    for app_config in apps.get_app_configs():
        # create_permissions skips an app whose models_module is None, as every app of a
        # migration's state is. Put back what was there: with the real registry (tests call this
        # after a flush) None would hide the app from every later post_migrate.
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = previous

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        codenames = []
        for model_key, actions in grants.items():
            app_label, model = model_key.split(".")
            codenames += [(app_label, f"{action}_{model}") for action in actions]
        permissions = [
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in set(codenames)
        ]
        group.permissions.set(permissions)
