"""The value-level audit trail (django-auditlog): who, when, from which address, old and new values.

docs/security-tests.md, Staff: every staff change to people, clients, memberships, invoices, payments, order
parts and documents is in an audit trail with old and new values, read-only, never purged.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import ACCOUNTANT, CLERK, ROLES
from billing.models import Invoice
from documents.models import Document
from documents.services import purge_expired_files
from manskonts.models import AuditEntry
from orders.models import OrderPart
from tests.admin_pages import form_data
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    OrderPartFactory,
    StaffFactory,
    UserFactory,
    own_client,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ADDRESS = "198.51.100.7"
FORGED = "203.0.113.66"


def staff(role: str | None = None, **fields) -> tuple[User, HttpClient]:
    user = StaffFactory(**fields)
    if role:
        user.groups.set([Group.objects.get(name=role)])
    http = HttpClient(REMOTE_ADDR=ADDRESS)
    http.force_login(user)
    return user, http


def entries(obj, action=LogEntry.Action.UPDATE):
    return LogEntry.objects.get_for_object(obj).filter(action=action).order_by("pk")


# --- Staff changes in the admin -------------------------------------------------------------------


def test_clerk_changes_an_order_part_status_entry_has_who_where_old_and_new():
    part = OrderPartFactory(status="registered")
    clerk, http = staff(CLERK)
    page = reverse("admin:orders_orderpart_change", args=[part.pk])

    response = http.post(page, form_data(http.get(page), OrderPart, new_status="in_progress"))

    assert response.status_code == 302
    entry = entries(part).get(changes__has_key="status")
    assert entry.changes_dict["status"] == ["registered", "in_progress"]
    assert (entry.actor, entry.actor_email, entry.remote_addr) == (clerk, clerk.email, ADDRESS)
    assert timezone.now() - entry.timestamp < timedelta(minutes=1)
    assert entry.cid == response["X-Request-ID"]  # the same request as the request log line


def test_clerk_bulk_status_action_writes_an_entry_per_part():
    parts = [OrderPartFactory(status="registered") for _ in range(2)]
    clerk, http = staff(CLERK)

    http.post(
        reverse("admin:orders_orderpart_changelist"),
        {
            "action": "change_status",
            "_selected_action": [p.pk for p in parts],
            "index": "0",
            "apply": "1",
            "new_status": "cancelled",
        },
    )

    for part in parts:
        entry = entries(part).get(changes__has_key="status")
        assert (entry.changes_dict["status"], entry.actor) == (["registered", "cancelled"], clerk)


def test_accountant_changes_an_invoice_entry_has_old_and_new_due_date():
    invoice = InvoiceFactory(due_on=timezone.localdate() + timedelta(days=10))
    old = invoice.due_on
    new = old + timedelta(days=20)
    accountant, http = staff(ACCOUNTANT)
    page = reverse("admin:billing_invoice_change", args=[invoice.pk])

    response = http.post(page, form_data(http.get(page), Invoice, due_on=new.strftime("%d.%m.%Y")))

    assert response.status_code == 302
    entry = entries(invoice).get()
    assert entry.changes_dict == {"due_on": [str(old), str(new)]}
    assert (entry.actor, entry.remote_addr) == (accountant, ADDRESS)


def test_superuser_changes_a_users_rights_and_email_both_are_recorded():
    colleague = StaffFactory(email="vecais@vzd.example.lv")
    admin_user, http = staff(is_superuser=True)
    page = reverse("admin:accounts_user_change", args=[colleague.pk])
    accountants = Group.objects.get(name=ACCOUNTANT)

    http.post(
        page,
        form_data(
            http.get(page), User, email="jaunais@vzd.example.lv", groups=[str(accountants.pk)]
        ),
    )

    update = entries(colleague).get(changes__has_key="email")
    assert update.changes_dict["email"] == ["vecais@vzd.example.lv", "jaunais@vzd.example.lv"]
    groups = entries(colleague).get(changes__has_key="groups")
    assert groups.changes["groups"] == {
        "type": "m2m",
        "operation": "add",
        "objects": [ACCOUNTANT],
    }
    assert {update.actor, groups.actor} == {admin_user}


def test_a_password_change_is_recorded_without_the_hash():
    person = StaffFactory()
    old_hash = person.password
    _admin, http = staff(is_superuser=True)

    http.post(
        f"/admin/accounts/user/{person.pk}/password/",
        {"password1": "jauna-parole-2026-x", "password2": "jauna-parole-2026-x"},
    )

    person.refresh_from_db()
    assert person.password != old_hash
    entry = entries(person).get(changes__has_key="password")
    assert entry.changes_dict["password"] == ["••••••••", "••••••••"]
    assert old_hash not in entry.changes_text + str(entry.changes)
    assert person.password not in str(entry.changes)


# --- The address is the client's, never a forged header -------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "recorded"),
    [
        (0, FORGED, ADDRESS),  # no proxy: the header is the client's own words
        (1, f"{FORGED}, 192.0.2.10", "192.0.2.10"),  # our proxy appended the real address
        (1, "", ADDRESS),  # not through the proxy
    ],
)
def test_the_recorded_address_is_the_client_address_not_a_forged_header(
    settings, proxies, forwarded, recorded
):
    settings.TRUSTED_PROXY_COUNT = proxies
    owner = UserFactory()
    eservice = EServiceFactory(client=own_client(owner))
    http = HttpClient(REMOTE_ADDR=ADDRESS)
    http.force_login(owner)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}

    response = http.post(
        reverse("eservices:label", args=[eservice.pk]), {"label": "Mans zemes gabals"}, **extra
    )

    assert response.status_code == 302
    entry = entries(eservice).get()
    assert entry.changes_dict["label"] == ["None", "Mans zemes gabals"]
    assert (entry.actor, entry.remote_addr, entry.remote_port) == (owner, recorded, None)


def test_a_clients_upload_is_recorded_with_who_and_where(settings):
    owner = UserFactory()
    eservice = EServiceFactory(client=own_client(owner))
    http = HttpClient(REMOTE_ADDR=ADDRESS)
    http.force_login(owner)

    http.post(
        reverse("documents:upload_eservice", args=[eservice.pk]),
        {"files": [SimpleUploadedFile("plans.pdf", PDF, content_type="application/pdf")]},
    )

    document = Document.objects.get(eservice=eservice)
    entry = entries(document, LogEntry.Action.CREATE).get()
    assert entry.changes_dict["original_name"] == ["None", "plans.pdf"]
    assert (entry.actor, entry.remote_addr) == (owner, ADDRESS)


# --- Read-only, to superusers only ---------------------------------------------------------------


def a_logged_change() -> LogEntry:
    part = OrderPartFactory(status="registered")
    part.status = "in_progress"
    part.save()
    return entries(part).get()


def test_superuser_reads_the_trail_and_nobody_can_add_change_or_delete_an_entry():
    entry = a_logged_change()
    _admin, http = staff(is_superuser=True)
    changelist = reverse("admin:manskonts_auditentry_changelist")
    page = reverse("admin:manskonts_auditentry_change", args=[entry.pk])

    listing = http.get(changelist)
    detail = http.get(page)

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert detail.context["has_change_permission"] is False
    assert "registered" in detail.content.decode()  # the old value…
    assert "in_progress" in detail.content.decode()  # …and the new one
    assert listing.context["action_form"] is None  # no bulk delete
    assert http.get(reverse("admin:manskonts_auditentry_add")).status_code == 403
    assert http.post(page, {"changes_text": "x", "_save": "1"}).status_code == 403
    assert (
        http.post(
            reverse("admin:manskonts_auditentry_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert LogEntry.objects.filter(pk=entry.pk, changes=entry.changes).exists()
    # auditlog's own LogEntry admin (which allows cascade deletes) is not there at all
    assert http.get("/admin/auditlog/logentry/").status_code == 404


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_role_sees_the_audit_trail(role):
    entry = a_logged_change()
    _user, http = staff(role)

    assert http.get(reverse("admin:manskonts_auditentry_changelist")).status_code == 403
    assert (
        http.get(reverse("admin:manskonts_auditentry_change", args=[entry.pk])).status_code == 403
    )
    assert "/admin/manskonts/auditentry/" not in http.get("/admin/").content.decode()


# --- Never purged ---------------------------------------------------------------------------------


def test_the_file_purge_keeps_every_audit_entry():
    owner = UserFactory()
    eservice = EServiceFactory(client=own_client(owner))
    document = DocumentFactory(
        eservice=eservice, direction=Document.Direction.SUBMITTED, original_name="vecs.pdf"
    )
    Document.objects.filter(pk=document.pk).update(uploaded_at=timezone.now() - timedelta(days=91))
    eservice.label = "Zemes gabals"
    eservice.save()
    before = list(LogEntry.objects.order_by("pk").values_list("pk", "changes"))
    assert before

    purge_expired_files()

    document.refresh_from_db()
    assert document.is_deleted
    assert (
        list(LogEntry.objects.order_by("pk").values_list("pk", "changes"))[: len(before)] == before
    )


def test_the_database_refuses_to_delete_or_rewrite_an_entry():
    entry = a_logged_change()

    for attempt in (
        lambda: LogEntry.objects.filter(pk=entry.pk).delete(),
        lambda: LogEntry.objects.filter(pk=entry.pk).update(changes_text="nekas nav mainīts"),
        lambda: LogEntry.objects.filter(pk=entry.pk).update(remote_addr=FORGED),
    ):
        with pytest.raises(DatabaseError, match="never"), transaction.atomic():
            attempt()

    assert LogEntry.objects.get(pk=entry.pk).changes == entry.changes


def test_deleting_a_user_keeps_the_entries_of_her_changes():
    clerk, http = staff(CLERK)
    part = OrderPartFactory(status="registered")
    page = reverse("admin:orders_orderpart_change", args=[part.pk])
    http.post(page, form_data(http.get(page), OrderPart, new_status="in_progress"))
    entry = entries(part).get(changes__has_key="status")

    clerk.delete()

    entry.refresh_from_db()
    assert (entry.actor, entry.actor_email) == (None, clerk.email)
    assert entry.changes_dict["status"] == ["registered", "in_progress"]


def test_auditlogflush_is_refused():
    entry = a_logged_change()

    with pytest.raises(CommandError, match="never purged"):
        call_command("auditlogflush", "--yes")

    assert LogEntry.objects.filter(pk=entry.pk).exists()


# --- What is audited ------------------------------------------------------------------------------

# Every model of the project's own apps is audited or named here with the reason it is not.
NOT_AUDITED = {
    "api.serviceaccesstoken": "a bearer token of a service account, valid 15 minutes; the account is audited and each write records the account's actor",
    "api.idempotentrequest": "a cache of answers to retried API requests, kept 24 hours; the change the request made is audited on its own record",
    "orders.orderpartstatuschange": "itself the history of status changes (from, to, who, when)",
    "orders.orderclientchange": "itself the history of client changes (from, to, who, when, why)",
    "eservices.eservicestatuschange": "itself the history of status changes (from, to, who, when)",
    "documents.documentauditentry": "the purge's own record of each deleted file",
    "documents.purgerun": "the purge's own record of each run",
    "billing.callbackdelivery": "itself the record of each provider callback, written once",
    "notifications.notification": "messages to clients, not records; read marks would be noise",
    "notifications.staffemail": "an email to a staff member about their work, not a record",
    "eservices.exportjob": "a client's report file, made and removed by the system",
    "outbox.message": "a task waiting to be published, not a record (one per task sent)",
    "requisitions.requestevent": "itself the history of a request's steps (what, who, when, why)",
}


def project_models() -> set[str]:
    """The concrete models of the apps in this repository (not of installed packages)."""
    base = str(settings.BASE_DIR)
    return {
        model._meta.label_lower
        for app in apps.get_app_configs()
        if str(app.path).startswith(base) and ".venv" not in str(app.path)
        for model in app.get_models()
        if not model._meta.proxy
    }


def test_every_model_is_audited_or_said_why_not():
    audited = {m._meta.label_lower for m in auditlog.get_models()}
    project = project_models()

    assert "billing.invoice" in project
    assert project - audited - set(NOT_AUDITED) == set(), "add to AUDITLOG_INCLUDE_TRACKING_MODELS"
    assert audited & set(NOT_AUDITED) == set()
    assert set(NOT_AUDITED) <= project, "a reason given for a model that no longer exists"
    assert {"accounts.user", "auth.group", "billing.overpayment"} <= audited
    listed = {
        (item["model"] if isinstance(item, dict) else item).lower()
        for item in settings.AUDITLOG_INCLUDE_TRACKING_MODELS
    }
    # auditlog skips a listed name that names no model; here that is a typo
    assert listed - audited == set(), "a listed model that does not exist"


def test_a_change_made_outside_the_admin_is_recorded_too_never_the_password():
    person = UserFactory(first_name="Ilze")
    person.first_name = "Ilze Anna"
    person.set_password("parole-2026-slepena")
    person.save()

    entry = entries(person).get()
    assert entry.changes_dict["first_name"] == ["Ilze", "Ilze Anna"]
    assert "parole" not in str(entry.changes)


# --- Reads cost nothing ---------------------------------------------------------------------------


def test_client_list_pages_run_no_extra_query_for_the_audit_trail(settings):
    owner = UserFactory()
    client = own_client(owner)
    for _ in range(3):
        EServiceFactory(client=client)
    http = HttpClient()
    http.force_login(owner)
    pages = ["/mans-konts/e-pakalpojumi/", "/mans-konts/", "/mans-konts/pasutijumi/"]

    def counts() -> list[int]:
        result = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert http.get(page).status_code == 200
            result.append(len(queries))
        return result

    counts()
    with_audit = counts()
    logged = LogEntry.objects.count()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "manskonts.audit.AuditMiddleware"]
    without_audit = counts()

    assert with_audit == without_audit
    assert LogEntry.objects.count() == logged  # reading writes no entry
    assert AuditEntry.objects.count() == logged


def test_a_staff_members_two_factor_devices_are_recorded_never_their_secrets():
    """Enrolment, a reset and each recovery code used leave an entry; the TOTP key, the codes and
    the counters each sign-in moves are not in it, and a sign-in writes none."""
    user = StaffFactory()
    totp = TOTPDevice.objects.create(user=user, name="Tālrunis", confirmed=False)
    totp.confirmed = True
    totp.save()
    totp.drift, totp.last_t = 1, 123456
    totp.save()  # what a sign-in saves
    codes = StaticDevice.objects.create(user=user, name="Rezerves kodi")
    code = StaticToken.objects.create(device=codes, token="k7p2x9q4")
    code.delete()  # a recovery code used
    totp_key = totp.key
    totp.delete()  # the superuser's device reset

    trail = LogEntry.objects.filter(
        content_type__app_label__in=["otp_totp", "otp_static"]
    ).order_by("pk")
    assert [(e.content_type.model, e.action) for e in trail] == [
        ("totpdevice", LogEntry.Action.CREATE),
        ("totpdevice", LogEntry.Action.UPDATE),
        ("staticdevice", LogEntry.Action.CREATE),
        ("statictoken", LogEntry.Action.CREATE),
        ("statictoken", LogEntry.Action.DELETE),
        ("totpdevice", LogEntry.Action.DELETE),
    ]
    assert trail[1].changes_dict == {"confirmed": ["False", "True"]}
    written = " ".join(str(e.changes) for e in trail)
    assert totp_key not in written and "k7p2x9q4" not in written
