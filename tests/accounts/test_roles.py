"""The staff role matrix: every role × every model in the admin × view/add/change/delete × action.

The expected answers are the table in `docs/roles.md` (one row per model, one column per role);
this module reads that table and checks every cell through the admin, signed in as a staff member
whose only group is that role. A model registered in the admin with no row is expected to be closed
to every role. docs/security-tests.md, Staff (ASVS 5.0 8.2.1, 8.3.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.models import LegalPersonApplication, User
from accounts.roles import ROLES
from billing.models import BankStatement, CallbackDelivery, Overpayment, UnmatchedBankEntry
from billing.portal_payments import start_attempt
from conversations.models import Thread
from conversations.services import post_message
from documents.models import Document, DocumentAuditEntry
from notifications.models import Notification
from orders.models import Service, ServiceGroup
from orders.workflow import OrderStatus
from requisitions import services as requisitions
from requisitions.models import RequestTemplate
from tests.admin_pages import form_data
from tests.factories import (
    DocumentFactory,
    EServiceFactory,
    InvoiceFactory,
    LegalClientFactory,
    MembershipFactory,
    OrderFactory,
    OrderPartFactory,
    PaymentFactory,
    StaffFactory,
    UserFactory,
    own_client,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
PAGE_PERMISSIONS = ("view", "add", "change", "delete")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- The table ------------------------------------------------------------------------------------


def parse_roles_table(text: str) -> tuple[list[str], dict[str, dict[str, frozenset[str]]]]:
    """The first Markdown table under '## The matrix' → (roles, {model: {role: {what…}}}).

    A cell is "—" or a comma-separated list of view/add/change/delete and "action <name>"."""
    section = text.split("## The matrix", 1)[1]
    lines = [line.strip() for line in section.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip("|").split("|")])
    header, separator, rows = table[0], table[1], table[2:]
    assert header[0] == "model"
    assert all(set(cell) <= set("-: ") for cell in separator)
    roles = header[1:]
    expected: dict[str, dict[str, frozenset[str]]] = {}
    for row in rows:
        assert len(row) == len(header), f"row {row[0]!r} has {len(row)} cells"
        model = row[0].strip("`")
        assert model not in expected, f"{model} has two rows"
        expected[model] = {}
        for role, cell in zip(roles, row[1:], strict=True):
            items = set() if cell in {"—", "-", ""} else {i.strip() for i in cell.split(",")}
            for item in items:
                assert item in PAGE_PERMISSIONS or re.fullmatch(r"action \w+", item), (
                    f"{model} / {role}: {item!r} is not view, add, change, delete or action <name>"
                )
            expected[model][role] = frozenset(items)
    return roles, expected


ROLE_NAMES, TABLE = parse_roles_table(DOC.read_text(encoding="utf-8"))


def label(model: type[models.Model]) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


REGISTERED = sorted(admin.site._registry, key=label)


def expected_for(model: type[models.Model], role: str) -> frozenset[str]:
    """A registered model with no row in the table is closed to every role."""
    return TABLE.get(label(model), {}).get(role, frozenset())


def test_table_names_every_role_and_only_registered_models():
    assert sorted(ROLE_NAMES) == sorted(ROLES)
    registered = {label(model) for model in REGISTERED}
    assert set(TABLE) - registered == set(), "rows for models the admin does not have"


def test_a_cell_never_grants_more_than_view_implies():
    for model, cells in TABLE.items():
        for role, items in cells.items():
            if items & {"add", "change", "delete"} or any(i.startswith("action") for i in items):
                assert "view" in items, f"{model} / {role}: every other right needs view"


# --- One object of every model --------------------------------------------------------------------


def _application() -> LegalPersonApplication:
    return LegalPersonApplication.objects.create(
        applicant=UserFactory(),
        registration_number="50003123455",
        name="SIA „Pieteikums”",
        legal_address="Brīvības iela 1, Rīga",
        email="birojs@example.lv",
        phone="+37167038600",
        authority=LegalPersonApplication.Authority.BOARD_MEMBER,
        authority_document=SimpleUploadedFile("x.pdf", PDF),
        authority_document_name="lemums.pdf",
        authority_document_type="application/pdf",
        user_codes=[],
    )


def _payment_attempt():
    client = own_client(UserFactory())
    invoice = InvoiceFactory(order=OrderFactory(client=client), total=Decimal("13.45"))
    return start_attempt(client, client.person, [invoice.number], "demo")


def _statement() -> BankStatement:
    return BankStatement.objects.create(file_name="izraksts.xml", content="<Document/>")


def _unmatched() -> UnmatchedBankEntry:
    return UnmatchedBankEntry.objects.create(
        statement=_statement(),
        entry_reference="E-1",
        amount=Decimal("13.45"),
        currency="EUR",
        remittance_info="bez numura",
    )


def _document() -> Document:
    return DocumentFactory(
        order_part=OrderPartFactory(),
        direction=Document.Direction.SUBMITTED,
        file=ContentFile(PDF, name="x.pdf"),
    )


def _audit_entry() -> DocumentAuditEntry:
    document = _document()
    return DocumentAuditEntry.objects.create(
        document=document, action="purged", original_name="x.pdf", size=10
    )


def _notification() -> Notification:
    person = UserFactory()
    return Notification.objects.create(
        client=own_client(person), recipient=person, kind="status", subject="S", body="B"
    )


def _request():
    return requisitions.raise_request(
        OrderPartFactory(status=OrderStatus.IN_PROGRESS),
        [requisitions.ItemSpec("Zemes robežu plāns")],
        "Iesniedziet zemes robežu plānu.",
        by=None,
    )


def _request_template():
    template = RequestTemplate.objects.create(
        service=Service.objects.order_by("pk").first(),
        name="Robežu plāns",
        text="Iesniedziet zemes robežu plānu.",
    )
    template.items.create(name="Zemes robežu plāns")
    return template


def _thread() -> Thread:
    order = OrderFactory()
    message = post_message(order, by=order.client.person, text="Jautājums", from_staff=False)
    return message.thread


BUILDERS: dict[str, Callable[[], models.Model]] = {
    "accounts.user": UserFactory,
    "accounts.client": LegalClientFactory,
    "accounts.membership": MembershipFactory,
    "accounts.legalpersonapplication": _application,
    "auth.group": lambda: Group.objects.create(name="Pārbaudes grupa"),
    "billing.invoice": InvoiceFactory,
    "billing.payment": PaymentFactory,
    "billing.overpayment": lambda: Overpayment.objects.create(
        invoice=InvoiceFactory(), amount=Decimal("13.45"), source="treasury", external_id="t-1"
    ),
    "billing.paymentattempt": _payment_attempt,
    "billing.callbackdelivery": lambda: CallbackDelivery.objects.create(
        provider="demo", outcome="bad_sig", status_code=400
    ),
    "billing.bankstatement": _statement,
    "billing.unmatchedbankentry": _unmatched,
    "documents.document": _document,
    "documents.documentauditentry": _audit_entry,
    "eservices.eservice": EServiceFactory,
    "orders.servicegroup": lambda: ServiceGroup.objects.order_by("pk").first(),
    "orders.service": lambda: Service.objects.order_by("pk").first(),
    "orders.order": OrderFactory,
    "orders.orderpart": OrderPartFactory,
    "notifications.notification": _notification,
    "requisitions.request": _request,
    "requisitions.requesttemplate": _request_template,
    "conversations.thread": _thread,
}


def an_object(model: type[models.Model]) -> models.Model | None:
    """One object of the model: built when we know how, else any row (models other parts of the
    project register; closed to every role until given a row, so even a missing object is 403)."""
    build = BUILDERS.get(label(model))
    if build is not None:
        return build()
    return model._default_manager.order_by("pk").first()


def row(model: type[models.Model], pk) -> dict | None:
    return model._default_manager.filter(pk=pk).values().first()


# --- Talking to the admin like a browser ----------------------------------------------------------


def url(model: type[models.Model], view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def offered_actions(response) -> set[str]:
    action_form = response.context.get("action_form")
    if action_form is None:
        return set()
    return {name for name, _ in action_form.fields["action"].choices if name}


def staff_with_only(role: str) -> tuple[User, HttpClient]:
    user = StaffFactory()
    user.groups.set([Group.objects.get(name=role)])
    http = HttpClient()
    http.force_login(user)
    return user, http


def all_actions(model: type[models.Model]) -> set[str]:
    superuser = StaffFactory(is_superuser=True)
    http = HttpClient()
    http.force_login(superuser)
    return offered_actions(http.get(url(model, "changelist")))


# --- The matrix -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_role_matrix(model, role):
    expected = expected_for(model, role)
    actions = all_actions(model)
    obj = an_object(model)
    pk = obj.pk if obj is not None else 999_999_999
    before = row(model, pk)
    _user, http = staff_with_only(role)

    # view: the list and the object's page
    changelist = http.get(url(model, "changelist"))
    change_page = http.get(url(model, "change", pk))
    if "view" in expected:
        assert changelist.status_code == 200
        assert change_page.status_code == 200
        assert change_page.context["has_change_permission"] == ("change" in expected)
    else:
        assert (changelist.status_code, change_page.status_code) == (403, 403)

    # change: the object's page submitted unchanged
    if "change" in expected:
        response = http.post(url(model, "change", pk), form_data(change_page, model))
        # saved, or answered with the form's own errors (e.g. "choose an invoice"): not refused
        assert response.status_code == 302 or response.context["errors"]
        before = row(model, pk)  # what the unchanged form saved is the state from here on
    else:
        response = http.post(url(model, "change", pk), {"_save": "Saglabāt"})
        assert response.status_code == 403
        assert row(model, pk) == before

    # add: the page, and a POST that is accepted (answered with the form) or refused
    count = model._default_manager.count()
    add_page = http.get(url(model, "add"))
    add_post = http.post(url(model, "add"), {"_save": "Saglabāt"})
    if "add" in expected:
        assert (add_page.status_code, add_post.status_code) == (200, 200)
    else:
        assert (add_page.status_code, add_post.status_code) == (403, 403)
    assert model._default_manager.count() == count  # an empty form adds nothing either way

    # actions: offered exactly as the table says; one not offered runs nothing
    allowed = {item.removeprefix("action ") for item in expected if item.startswith("action ")}
    if "view" in expected:
        assert offered_actions(changelist) == allowed
    assert allowed <= actions, f"the table names actions {label(model)} does not have"
    for action in sorted(actions):
        post = {
            "action": action,
            "_selected_action": [pk],
            "index": "0",
            "post": "yes",  # the confirmation of delete_selected
            "apply": "1",  # …and of change_status
            "new_status": "completed",
        }
        if action in allowed:
            del post["post"], post["apply"]  # only reach the confirmation page
            response = http.post(url(model, "changelist"), post)
            assert response.status_code == 200
            assert "admin/change_list.html" not in response.template_name
        else:
            response = http.post(url(model, "changelist"), post)
            assert response.status_code in (302, 403) or (
                "admin/change_list.html" in response.template_name
            )
        assert row(model, pk) == before

    # delete: the confirmation page and its POST
    delete_page = http.get(url(model, "delete", pk))
    response = http.post(url(model, "delete", pk), {"post": "yes"})
    if "delete" in expected:
        assert (delete_page.status_code, response.status_code) == (200, 302)
        assert row(model, pk) is None
    else:
        assert (delete_page.status_code, response.status_code) == (403, 403)
        assert row(model, pk) == before


@pytest.mark.django_db
def test_each_group_holds_exactly_the_permissions_of_roles_py():
    """The data migrations left each group with exactly `accounts/roles.py`'s permissions."""
    for role, grants in ROLES.items():
        held = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=role).permissions.select_related("content_type")
        }
        wanted = {
            f"{key.split('.')[0]}.{action}_{key.split('.')[1]}"
            for key, actions in grants.items()
            for action in actions
        }
        assert held == wanted, role


@pytest.mark.django_db
def test_page_rights_in_the_table_are_granted_in_roles_py():
    """Each view/add/change/delete of the table is a permission of that group (the admin may still
    refuse more than permissions allow, e.g. nobody deletes invoices)."""
    for model, cells in TABLE.items():
        for role, items in cells.items():
            for item in items & set(PAGE_PERMISSIONS):
                assert item in ROLES[role].get(model, ()), f"{model} / {role}: {item}"
