"""Who may open what: every URL that names an object × every persona, in one table.

docs/security-tests.md, Access (ASVS 4.0.3 4.2.1; 5.0 8.2.2, 8.4.1). Each object exists twice: one of the
owner's (a natural person) and one of the legal person's. A column says which object a persona
tries and whom they act for:

    own    the owner, a natural person acting as themselves, on their own object
    admin  the legal person's administrator, acting for it, on the legal person's object
    user   a colleague (role "user") of the same legal person, acting for it, on its object
    self   the same colleague acting as themselves, on the legal person's object
    out    an outsider (natural person, no relation), on the owner's AND the legal person's object
    other  the administrator of ANOTHER legal person, acting for it, on both objects
    clerk  VZD staff without a personal code (no Mans konts), on both objects
    anon   not signed in, on both objects

A cell is the status code, or:
    login  302 to /pieslegties/?next=<the URL>
    list   302 back to the invoice list with a message and nothing started (paying names its
           invoices in the form, not the URL: a foreign number is "not found or already paid")

'Uzdot jautājumu' names its order in the form too: a number not among the client's orders is the
form's 400 "nav atrasts starp Jūsu pasūtījumiem", and nothing is posted.

A 2xx/3xx code on a POST means its effect happened (label saved, file stored, notification read,
role changed…); every other cell means nothing changed. Notifications and applications belong to a
person, not to a client, so an administrator does not see a colleague's. User management is for the
legal person's administrators: a user of it gets 403, anyone acting for a natural person 404.

The method a URL does not accept is refused with 405 before the object is looked up, for everyone
and for ids that do not exist (test_the_other_method_is_405_for_everyone_and_reveals_nothing).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.acting_for import SESSION_KEY
from accounts.models import Client, LegalPersonApplication, Membership
from billing.models import PaymentAttempt
from billing.portal_payments import start_attempt
from conversations.models import Attachment, Message
from conversations.services import post_message
from documents.models import Document
from documents.signing import check_stored
from eservices.models import EService, ExportJob
from manskonts.validation import validate_upload
from notifications.models import Notification
from requisitions import services as requisitions
from requisitions.models import Answer
from requisitions.models import Request as VzdRequest
from requisitions.services import ItemSpec
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
)
from tests.signatures import builders

PERSONAS = ("own", "admin", "user", "self", "out", "other", "clerk", "anon")

MATRIX = """
case                method  own   admin  user  self  out   other  clerk  anon
eservice_detail     GET     200   200    200   404   404   404    404    login
eservice_label      POST    302   302    302   404   404   404    404    login
eservice_upload     POST    303   303    303   404   404   404    404    login
order_detail        GET     200   200    200   404   404   404    404    login
order_upload        POST    303   303    303   404   404   404    404    login
results_zip         GET     200   200    200   404   404   404    404    login
document_download   GET     200   200    200   404   404   404    404    login
container_file      GET     200   200    200   404   404   404    404    login
export_status       GET     200   200    200   404   404   404    404    login
export_download     GET     200   200    200   404   404   404    404    login
invoice_detail      GET     200   200    200   404   404   404    404    login
invoice_print       GET     200   200    200   404   404   404    404    login
payment_start       POST    302   302    302   list  list  list   404    login
payment_result      GET     200   200    200   404   404   404    404    login
demo_bank           GET     200   200    200   404   404   404    404    login
demo_bank_cancel    POST    302   302    302   404   404   404    404    login
application_detail  GET     200   200    404   404   404   404    404    login
notification_read   POST    303   404    303   404   404   404    404    login
user_role           POST    404   302    403   404   404   404    404    login
user_remove         POST    404   302    403   404   404   404    404    login
switch              POST    302   302    302   302   404   404    404    login
request_answer      GET     200   200    200   404   404   404    404    login
request_draft       POST    303   303    303   404   404   404    404    login
order_thread        GET     200   200    200   404   404   404    404    login
order_message       POST    303   303    303   404   404   404    404    login
eservice_thread     GET     200   200    200   404   404   404    404    login
eservice_message    POST    303   303    303   404   404   404    404    login
ask_question        POST    303   303    303   400   400   400    404    login
message_attachment  GET     200   200    200   404   404   404    404    login
"""


def parse(table: str) -> dict[str, dict]:
    lines = [line.split() for line in table.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[2:]) == PERSONAS
    return {row[0]: {"method": row[1], **dict(zip(PERSONAS, row[2:], strict=True))} for row in rows}


EXPECTED = parse(MATRIX)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_CODE = "32000000999"


@dataclass
class Side:
    """Everything of one client that a URL can name."""

    client: Client
    person: object  # whose notification it is, who started the payment
    eservice: EService
    document: Document
    container: Document  # an .edoc whose data files download one by one
    paid_order: object
    unpaid_invoice: object
    export: ExportJob
    attempt: PaymentAttempt
    notification: Notification
    application: LegalPersonApplication
    request: VzdRequest  # a request of VZD on the paid order's part, awaiting the client
    attachment: Attachment


def make_side(client: Client, person, applicant, registration_number: str) -> Side:
    eservice = EServiceFactory(client=client)
    document = DocumentFactory(
        eservice=eservice,
        direction=Document.Direction.SUBMITTED,
        original_name="iesniegums.pdf",
        file=ContentFile(PDF, name="x"),
    )
    container = DocumentFactory(
        eservice=eservice,
        direction=Document.Direction.SUBMITTED,
        original_name="iesniegums.edoc",
        content_type="application/vnd.etsi.asic-e+zip",
        file=ContentFile(builders.asice({"iesniegums.pdf": PDF}, []), name="x"),
    )
    check_stored(container.pk)  # lists its data files (unsigned: no PKI needed)
    paid_order = OrderFactory(client=client)
    part = OrderPartFactory(order=paid_order, part_number=1)
    PaymentFactory(invoice=InvoiceFactory(order=paid_order))
    DocumentFactory(order_part=part, direction=Document.Direction.RESULT)
    unpaid_order = OrderFactory(client=client)
    OrderPartFactory(order=unpaid_order, part_number=1)
    unpaid_invoice = InvoiceFactory(order=unpaid_order)
    attempt_invoice = InvoiceFactory(order=unpaid_order, total=Decimal("13.45"))
    attempt = start_attempt(client, person, [attempt_invoice.number], "demo")
    export = ExportJob.objects.create(client=client, requested_by=person, state="done")
    export.file.save("atskaite.xlsx", ContentFile(b"PK\x03\x04 xlsx"))
    notification = Notification.objects.create(
        client=client, recipient=person, kind="status", subject="Statuss", body="Mainīts"
    )
    application = LegalPersonApplication.objects.create(
        applicant=applicant,
        registration_number=registration_number,
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
    request = requisitions.raise_request(
        part, [ItemSpec("Plāns")], "Iesniedziet plānu.", by=None, suspend=False
    )
    message = post_message(
        paid_order,
        by=person,
        text="Jautājums ar pielikumu",
        from_staff=False,
        files=[validate_upload(SimpleUploadedFile("plans.pdf", PDF, "application/pdf"))],
    )
    return Side(
        client,
        person,
        eservice,
        document,
        container,
        paid_order,
        unpaid_invoice,
        export,
        attempt,
        notification,
        application,
        request,
        message.attachments.get(),
    )


@dataclass
class World:
    owner: object
    legal: Client
    legal_admin: object
    colleague: object
    member: Membership  # a third user of the legal person: whose role / membership is changed
    outsider: object
    other_admin: object
    other_legal: Client
    clerk: object
    own: Side
    legal_side: Side


@pytest.fixture
def world(db) -> World:
    owner = UserFactory(first_name="Anna", last_name="Bērziņa")
    legal = LegalClientFactory(registration_number="40003517893", name="SIA „Zemes Mērnieki”")
    legal_admin = MembershipFactory(client=legal, role=Membership.Role.ADMIN).user
    colleague = MembershipFactory(client=legal, role=Membership.Role.USER).user
    member = MembershipFactory(client=legal, role=Membership.Role.USER)
    other_legal = LegalClientFactory(registration_number="40103987655", name="AS „Būvprojekts”")
    other_admin = MembershipFactory(client=other_legal, role=Membership.Role.ADMIN).user
    return World(
        owner=owner,
        legal=legal,
        legal_admin=legal_admin,
        colleague=colleague,
        member=member,
        outsider=UserFactory(first_name="Pēteris", last_name="Zariņš"),
        other_admin=other_admin,
        other_legal=other_legal,
        clerk=StaffFactory(),
        own=make_side(Client.objects.get_or_create_for_person(owner), owner, owner, "50003123455"),
        # The legal person's notification is the colleague's; its application the admin's.
        legal_side=make_side(legal, colleague, legal_admin, "90000123450"),
    )


@dataclass(frozen=True)
class Request:
    url: str
    data: dict | Callable[[], dict] | None = None
    effect: Callable[[], object] | None = None  # state that a successful POST changes


def _upload() -> dict:
    return {"files": [SimpleUploadedFile("jauns.pdf", PDF, "application/pdf")]}


def _documents(**target) -> Callable[[], object]:
    return lambda: Document.objects.filter(direction="submitted", **target).count()


def build(case: str, world: World, side: Side) -> Request:
    """The request of `case` on `side`'s object."""
    if case == "eservice_detail":
        return Request(reverse("eservices:detail", args=[side.eservice.pk]))
    if case == "eservice_label":
        eservice = side.eservice
        return Request(
            reverse("eservices:label", args=[eservice.pk]),
            {"label": "Mans zemes gabals"},
            lambda: EService.objects.get(pk=eservice.pk).label,
        )
    if case == "eservice_upload":
        return Request(
            reverse("documents:upload_eservice", args=[side.eservice.pk]),
            _upload,
            _documents(eservice=side.eservice),
        )
    if case == "order_detail":
        return Request(reverse("orders:detail", args=[side.paid_order.number]))
    if case == "order_upload":
        order = side.paid_order
        return Request(
            reverse("documents:upload_order", args=[order.number]),
            _upload,
            _documents(order_part__order=order),
        )
    if case == "results_zip":
        return Request(reverse("documents:results_zip", args=[side.paid_order.number]))
    if case == "document_download":
        return Request(reverse("documents:download", args=[side.document.pk]))
    if case == "container_file":
        return Request(reverse("documents:container_file", args=[side.container.pk, 0]))
    if case == "export_status":
        return Request(reverse("eservices:export", args=[side.export.pk]))
    if case == "export_download":
        return Request(reverse("eservices:export_download", args=[side.export.pk]))
    if case == "invoice_detail":
        return Request(reverse("billing:invoice_detail", args=[side.unpaid_invoice.number]))
    if case == "invoice_print":
        return Request(reverse("billing:invoice_print", args=[side.unpaid_invoice.number]))
    if case == "payment_start":
        invoice = side.unpaid_invoice
        return Request(
            reverse("billing:pay"),
            {"invoice": [invoice.number]},
            lambda: PaymentAttempt.objects.filter(lines__invoice=invoice).count(),
        )
    if case == "payment_result":
        return Request(reverse("billing:payment_result", args=[side.attempt.reference]))
    if case == "demo_bank":
        return Request(reverse("billing:demo_bank", args=[side.attempt.reference]))
    if case == "demo_bank_cancel":
        attempt = side.attempt
        return Request(
            reverse("billing:demo_bank", args=[attempt.reference]),
            {"action": "cancel"},
            lambda: PaymentAttempt.objects.get(pk=attempt.pk).status,
        )
    if case == "application_detail":
        return Request(reverse("accounts:application_detail", args=[side.application.pk]))
    if case == "notification_read":
        notification = side.notification
        return Request(
            reverse("notifications:mark_read", args=[notification.pk]),
            {},
            lambda: Notification.objects.get(pk=notification.pk).read_at is not None,
        )
    if case == "order_thread":
        return Request(reverse("conversations:order", args=[side.paid_order.number]))
    if case == "order_message":
        order = side.paid_order
        return Request(
            reverse("conversations:order", args=[order.number]),
            {"text": "Vēl viens jautājums"},
            lambda: Message.objects.filter(thread__order=order).count(),
        )
    if case == "eservice_thread":
        return Request(reverse("conversations:eservice", args=[side.eservice.pk]))
    if case == "eservice_message":
        eservice = side.eservice
        return Request(
            reverse("conversations:eservice", args=[eservice.pk]),
            {"text": "Jautājums par e-pakalpojumu"},
            lambda: Message.objects.filter(thread__eservice=eservice).count(),
        )
    if case == "ask_question":
        order = side.paid_order
        return Request(
            reverse("conversations:ask"),
            {"order": order.number, "text": "Jautājums"},
            lambda: Message.objects.filter(thread__order=order).count(),
        )
    if case == "message_attachment":
        return Request(reverse("conversations:attachment", args=[side.attachment.pk]))
    # A legal person's memberships: the same object whichever side is tried.
    member = world.member
    if case == "user_role":
        return Request(
            reverse("accounts:user_role", args=[member.pk]),
            {"role": "admin"},
            lambda: Membership.objects.get(pk=member.pk).role,
        )
    if case == "user_remove":
        return Request(
            reverse("accounts:user_remove", args=[member.pk]),
            {},
            lambda: Membership.objects.filter(pk=member.pk).exists(),
        )
    if case == "request_answer":
        return Request(reverse("requisitions:answer", args=[side.request.pk]))
    if case == "request_draft":
        target = side.request
        return Request(
            reverse("requisitions:answer", args=[target.pk]),
            {"action": "draft", "message": "Plāns sekos."},
            lambda: Answer.objects.filter(request_id=target.pk).count(),
        )
    if case == "switch":
        return Request(
            reverse("accounts:switch"), {"client": side.client.pk, "next": "/mans-konts/"}
        )
    raise AssertionError(f"no request for {case}")


def http_for(persona: str, world: World) -> HttpClient:
    http = HttpClient()
    user, acting_for = {
        "own": (world.owner, None),
        "admin": (world.legal_admin, world.legal),
        "user": (world.colleague, world.legal),
        "self": (world.colleague, None),
        "out": (world.outsider, None),
        "other": (world.other_admin, world.other_legal),
        "clerk": (world.clerk, None),
        "anon": (None, None),
    }[persona]
    if user is not None:
        http.force_login(user)
    if acting_for is not None:
        session = http.session
        session[SESSION_KEY] = acting_for.pk
        session.save()
    return http


def sides_for(persona: str, world: World) -> list[Side]:
    if persona == "own":
        return [world.own]
    if persona in ("admin", "user", "self"):
        return [world.legal_side]
    return [world.own, world.legal_side]


def send(http: HttpClient, method: str, request: Request):
    data = request.data() if callable(request.data) else request.data
    if method == "GET":
        return http.get(request.url)
    return http.post(request.url, data or {})


CELLS = [(case, persona) for case in EXPECTED for persona in PERSONAS]


@pytest.mark.parametrize(("case", "persona"), CELLS, ids=[f"{c}-{p}" for c, p in CELLS])
def test_access_matrix(world, case, persona):
    row = EXPECTED[case]
    expected = row[persona]

    for side in sides_for(persona, world):
        request = build(case, world, side)
        before = request.effect() if request.effect else None

        response = send(http_for(persona, world), row["method"], request)

        where = f"{case} by {persona} on {side.client}"
        if expected == "login":
            assert response.status_code == 302, where
            assert response["Location"] == f"/pieslegties/?next={quote(request.url, safe='/')}"
        elif expected == "list":
            assert response.status_code == 302, where
            assert response["Location"] == reverse("billing:invoice_list"), where
        else:
            assert response.status_code == int(expected), where
        if request.effect is None:
            continue
        if expected in ("login", "list") or int(expected) >= 400:
            assert request.effect() == before, f"{where}: refused, yet something changed"
        else:
            assert request.effect() != before, f"{where}: allowed, yet nothing changed"


OTHER_METHOD = {"GET": "POST", "POST": "GET"}
# The demo bank page takes both GET (the page) and POST (pay / cancel): its rows cover both.
# So do a request's answer page (the page, then the draft or the answer posted to it), a
# conversation's page (the thread; a new message) and 'Uzdot jautājumu'.
TWO_METHOD_CASES = (
    "demo_bank",
    "demo_bank_cancel",
    "request_answer",
    "request_draft",
    "order_thread",
    "order_message",
    "eservice_thread",
    "eservice_message",
    "ask_question",
)
ONE_METHOD_CASES = [case for case in EXPECTED if case not in TWO_METHOD_CASES]


def missing_side() -> SimpleNamespace:
    """Ids and numbers of objects that do not exist."""
    nothing = SimpleNamespace(pk=987654321, number="2099-9999999", reference=uuid.uuid4())
    return SimpleNamespace(
        client=nothing,
        eservice=nothing,
        document=nothing,
        container=nothing,
        paid_order=nothing,
        unpaid_invoice=nothing,
        export=SimpleNamespace(pk=uuid.uuid4()),
        attempt=nothing,
        notification=nothing,
        application=nothing,
        request=nothing,
        attachment=nothing,
    )


@pytest.mark.parametrize("case", ONE_METHOD_CASES)
def test_the_other_method_is_405_for_everyone_and_reveals_nothing(world, case):
    """A GET-only URL refuses POST (and a POST-only one GET) before looking the object up: the same
    405 for the owner, an outsider, the anonymous, and for an object that does not exist."""
    method = OTHER_METHOD[EXPECTED[case]["method"]]
    request = build(case, world, world.own)
    missing = build(case, world, missing_side())
    before = request.effect() if request.effect else None

    statuses = {
        persona: send(http_for(persona, world), method, request).status_code
        for persona in ("own", "out", "anon")
    }
    statuses["missing"] = send(http_for("own", world), method, missing).status_code

    assert statuses == {"own": 405, "out": 405, "anon": 405, "missing": 405}
    if request.effect:
        assert request.effect() == before


# --- Lists: acting as oneself never shows the legal person's rows, and the reverse ---------------

LISTS = {
    "eservices": (
        "eservices:list",
        lambda r: {row.pk for row in r.context["page"].rows},
        lambda side: {side.eservice.pk},
    ),
    "orders": (
        "orders:list",
        lambda r: {part.order.number for part in r.context["page"].rows},
        lambda side: {side.paid_order.number, side.unpaid_invoice.order.number},
    ),
    "invoices": (
        "billing:invoice_list",
        lambda r: {invoice.number for invoice in r.context["invoices"]},
        lambda side: set(side.client.invoices.values_list("number", flat=True)),
    ),
    "notifications": (
        "notifications:list",
        lambda r: {n.pk for n in r.context["notifications"]},
        # the side's own and the one its request of VZD sent the person
        lambda side: set(
            Notification.objects.filter(client=side.client, recipient=side.person).values_list(
                "pk", flat=True
            )
        ),
    ),
    "export_jobs": (
        "eservices:report",
        lambda r: {job.pk for job in r.context["recent_jobs"]},
        lambda side: {side.export.pk},
    ),
}


def colleague_world(world: World) -> tuple[Side, Side]:
    """The colleague's own rows (as a natural person) and the legal person's (theirs to see)."""
    own = make_side(
        Client.objects.get_or_create_for_person(world.colleague),
        world.colleague,
        world.colleague,
        "40003000002",
    )
    return own, world.legal_side


@pytest.mark.parametrize("name", LISTS)
def test_acting_as_oneself_never_shows_the_legal_persons_rows_and_the_reverse(world, name):
    url_name, shown, rows_of = LISTS[name]
    own, legal = colleague_world(world)
    assert rows_of(own) and rows_of(legal) and not rows_of(own) & rows_of(legal)

    as_self = shown(http_for("self", world).get(reverse(url_name)))
    for_legal = shown(http_for("user", world).get(reverse(url_name)))

    assert as_self == rows_of(own)
    assert for_legal == rows_of(legal)
