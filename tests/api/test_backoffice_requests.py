"""Requests through the back-office API: raised on an e-service as on a part, read with the
client's answers and their files, and settled as the admin's actions settle them (accept, ask
again, extend, terminate, withdraw): through requisitions.services, audited under the service
account's user, the client told exactly what the admin's same action tells them; a move the
workflow refuses is 409 with its reason; a replay does it once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from api.models import BackOfficeScope
from eservices.models import EServiceStatus
from manskonts.validation import validate_upload
from notifications.models import Notification
from orders.models import Service
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import Request, RequestEvent, RequestItem, RequestTemplate
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.api.backoffice import access_token, call, make_account
from tests.api.helpers import make_token
from tests.documents import samples
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db

BODY = {"text": "Iesniedziet robežu plānu.", "items": [{"name": "Robežu plāns"}]}


def in_progress_part(client, number="2026-7100001"):
    return OrderPartFactory(
        order=OrderFactory(client=client, number=number),
        part_number=1,
        status=OrderStatus.IN_PROGRESS,
    )


def raised(part, by, kind=RequestItem.Kind.INFORMATION):
    return services.raise_request(part, [ItemSpec("Robežu plāns", kind)], "Iesniedziet.", by=by)


def answered(part, by, person):
    request = raised(part, by)
    services.save_draft(request, by=person, texts={request.items.get().pk: "Plāns ir pie mums."})
    services.submit_answer(request, by=person)
    return request


def expired(part, by):
    request = raised(part, by)
    services.expire_due(request.deadline + timedelta(days=1))
    return request


def test_a_request_on_an_e_service_is_raised_audited_and_told_to_the_client(
    account, token, owner, owner_client
):
    eservice = EServiceFactory(
        client=owner_client, requested_by=owner, status=EServiceStatus.PROCESSING
    )

    response = call("post", token, f"/api/v1/backoffice/eservices/{eservice.pk}/requests", BODY)

    assert response.status_code == 201, response.content
    assert response.json()["part_status"] is None
    request = Request.objects.get()
    assert (request.eservice_id, request.raised_by_id) == (eservice.pk, account.user_id)
    [notice] = Notification.objects.filter(client=owner_client, kind="request")
    assert notice.link == reverse("eservices:detail", args=[eservice.pk])
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Request), object_id=request.pk
    )
    assert entry.actor_id == account.user_id


def test_a_request_on_a_closed_e_service_is_409(token, owner, owner_client):
    eservice = EServiceFactory(
        client=owner_client, requested_by=owner, status=EServiceStatus.COMPLETED
    )

    response = call("post", token, f"/api/v1/backoffice/eservices/{eservice.pk}/requests", BODY)

    assert response.status_code == 409
    assert response.json()["code"] == "request_refused"
    assert not Request.objects.exists()


def test_the_case_system_reads_the_answer_and_downloads_the_clients_file(
    superuser, token, owner, owner_client
):
    part = in_progress_part(owner_client)
    request = raised(part, superuser, kind=RequestItem.Kind.FILE)
    item = request.items.get()
    checked = validate_upload(samples.upload("plans.pdf", samples.PDF))
    services.save_draft(request, by=owner, message="Lūdzu.", files={item.pk: [checked]})
    services.submit_answer(request, by=owner)

    detail = call("get", token, f"/api/v1/backoffice/requests/{request.pk}")
    [answer] = detail.json()["answers"]
    [entry] = answer["items"]
    [file] = entry["files"]
    content = HttpClient().get(file["download_url"], headers={"Authorization": f"Bearer {token}"})

    assert detail.status_code == 200
    assert detail.json()["state"] == RequestState.ANSWERED
    assert (detail.json()["order_number"], detail.json()["part_number"]) == ("2026-7100001", 1)
    assert (answer["message"], entry["item_id"], file["name"]) == ("Lūdzu.", item.pk, "plans.pdf")
    assert answer["submitted_at"] is not None
    assert content.status_code == 200
    assert b"".join(content.streaming_content) == samples.PDF


# (action, the state it starts from, the admin's form, the API's path and body)
ACTIONS = [
    ("accept_answer", answered, {}, "accept", {}),
    ("ask_again", answered, {"text": "Vajag parakstu.", "deadline": ""}, "ask-again",
     {"text": "Vajag parakstu."}),
    ("extend_deadline", expired, {"deadline": "days:30"}, "extend", {"deadline": "days:30"}),
    ("terminate_part", expired, {"reason": "Plāns netika iesniegts."}, "terminate",
     {"reason": "Plāns netika iesniegts."}),
    ("withdraw_request", lambda part, by, person=None: raised(part, by), {"note": "Kļūda."},
     "withdraw", {"note": "Kļūda."}),
]  # fmt: skip


def _dates(values: dict) -> tuple[dict, dict]:
    """`days:N` as the admin's form writes a date and as the API does."""
    admin, api = dict(values), dict(values)
    for name, value in values.items():
        if isinstance(value, str) and value.startswith("days:"):
            day = timezone.localdate() + timedelta(days=int(value[5:]))
            admin[name], api[name] = day.strftime("%d.%m.%Y"), day.isoformat()
    return admin, api


def _setup(start, part, by, person):
    if start is answered:
        return answered(part, by, person)
    return start(part, by)


@pytest.mark.parametrize(
    ("admin_action", "start", "form", "path", "body"), ACTIONS, ids=[a[3] for a in ACTIONS]
)
def test_each_action_does_and_tells_what_the_admins_does(
    account, token, clerk, owner, owner_client, admin_action, start, form, path, body
):
    by_admin_part = in_progress_part(owner_client, "2026-7100002")
    by_api_part = in_progress_part(owner_client, "2026-7100001")
    by_admin = _setup(start, by_admin_part, clerk, owner)
    by_api = _setup(start, by_api_part, clerk, owner)
    admin_form, api_body = _dates(form)[0], _dates(body)[1]
    before = set(Notification.objects.values_list("pk", flat=True))
    admin = HttpClient()
    admin.force_login(clerk)

    page = admin.post(
        reverse("admin:requisitions_request_act", args=[by_admin.pk, admin_action]), admin_form
    )
    response = call("post", token, f"/api/v1/backoffice/requests/{by_api.pk}/{path}", api_body)

    assert page.status_code == 302
    assert response.status_code == 200, response.content
    by_admin.refresh_from_db()
    by_api.refresh_from_db()
    assert response.json()["state"] == by_api.state == by_admin.state
    assert by_api.deadline == by_admin.deadline
    by_admin_part.refresh_from_db()
    by_api_part.refresh_from_db()
    assert by_api_part.status == by_admin_part.status
    told = list(Notification.objects.exclude(pk__in=before).order_by("pk"))
    for n in told:
        n.texts = (n.subject, n.body, n.link)
    by_admin_told = [
        (n.kind, n.recipient_id, *(t.replace("2026-7100002", "2026-7100001") for t in n.texts))
        for n in told
        if "2026-7100002" in n.body
    ]
    by_api_told = [(n.kind, n.recipient_id, *n.texts) for n in told if "2026-7100001" in n.body]
    assert by_api_told == by_admin_told
    assert by_api_told  # the client was told
    event = RequestEvent.objects.filter(request=by_api).latest("at", "pk")
    assert event.by_id == account.user_id
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Request), object_id=by_api.pk
    ).order_by("pk")
    assert entries.last().actor_id == account.user_id


@pytest.mark.parametrize(
    ("start", "path", "body", "words"),
    [
        (raised, "accept", {}, "nevar mainīt uz „Pieņemts”"),
        (raised, "ask-again", {"text": "Vēl."}, "nevar mainīt uz „Pieprasīts vēlreiz”"),
        (raised, "extend", {"deadline": "2099-01-05"}, "Statuss jau ir „Gaida klienta atbildi”."),
        (raised, "terminate", {"reason": "Nav."}, "nevar mainīt uz „Pārtraukts”"),
        (expired, "withdraw", {}, "nevar mainīt uz „Atsaukts”"),
    ],
)
def test_a_move_the_workflow_refuses_is_409_with_its_reason(
    superuser, token, owner_client, start, path, body, words
):
    request = start(in_progress_part(owner_client), superuser)
    state = Request.objects.get(pk=request.pk).state
    events = RequestEvent.objects.count()

    response = call("post", token, f"/api/v1/backoffice/requests/{request.pk}/{path}", body)

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert words in response.json()["detail"]
    assert Request.objects.get(pk=request.pk).state == state
    assert RequestEvent.objects.count() == events


def test_a_blank_text_or_a_past_deadline_is_400_in_the_services_words(
    superuser, token, owner, owner_client
):
    request = answered(in_progress_part(owner_client), superuser, owner)

    blank = call(
        "post", token, f"/api/v1/backoffice/requests/{request.pk}/ask-again", {"text": " "}
    )
    past = call(
        "post",
        token,
        f"/api/v1/backoffice/requests/{request.pk}/ask-again",
        {"text": "Vēl.", "deadline": (timezone.localdate() - timedelta(days=3)).isoformat()},
    )

    assert blank.status_code == 400
    assert blank.json()["detail"] == "Uzrakstiet, kas vēl nepieciešams."
    assert past.status_code == 400
    assert past.json()["code"] == "invalid_values"
    assert Request.objects.get(pk=request.pk).state == RequestState.ANSWERED


def test_a_replayed_ask_again_asks_once(superuser, token, owner, owner_client):
    request = answered(in_progress_part(owner_client), superuser, owner)
    path = f"/api/v1/backoffice/requests/{request.pk}/ask-again"

    first = call("post", token, path, {"text": "Vajag parakstu."}, key="ask-1")
    again = call("post", token, path, {"text": "Vajag parakstu."}, key="ask-1")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert RequestEvent.objects.filter(request=request, action="asked_again").count() == 1
    assert Notification.objects.filter(subject__startswith="VZD lūdz papildināt").count() == 1


def test_without_requests_write_403_and_a_clients_token_401(superuser, owner, owner_client):
    request = raised(in_progress_part(owner_client), superuser)
    orders_only = access_token(make_account(superuser, [BackOfficeScope.ORDERS_WRITE], "Cits"))
    clients = make_token(owner_client, owner)

    refused = [
        call(method, orders_only, f"/api/v1/backoffice/requests/{request.pk}{tail}").status_code
        for method, tail in (("get", ""), ("post", "/withdraw"), ("post", "/accept"))
    ]
    eservice = EServiceFactory(client=owner_client, requested_by=owner)
    on_eservice = call(
        "post", orders_only, f"/api/v1/backoffice/eservices/{eservice.pk}/requests", BODY
    )
    with_clients = call("post", clients, f"/api/v1/backoffice/requests/{request.pk}/withdraw")

    assert refused == [403, 403, 403]
    assert on_eservice.status_code == 403
    assert on_eservice.json()["scope"] == "requests:write"
    assert with_clients.status_code == 401
    assert Request.objects.get(pk=request.pk).state == RequestState.OPEN


def test_an_unknown_request_is_404(token):
    assert call("post", token, "/api/v1/backoffice/requests/999999/accept").status_code == 404
    assert call("get", token, "/api/v1/backoffice/requests/999999").status_code == 404


def test_a_request_is_assigned_to_the_clerk_named_as_assign_to_me_does(
    account, superuser, token, clerk, owner_client
):
    request = raised(in_progress_part(owner_client), superuser)
    path = f"/api/v1/backoffice/requests/{request.pk}/assign"

    assigned = call("post", token, path, {"clerk": clerk.username})
    client_person = call("post", token, path, {"clerk": owner_client.person.username})
    unknown = call("post", token, path, {"clerk": "nav-tada"})
    services.withdraw(request, by=superuser)
    settled = call("post", token, path, {"clerk": clerk.username})

    assert assigned.status_code == 200, assigned.content
    request.refresh_from_db()
    assert request.assignee_id == clerk.pk
    event = RequestEvent.objects.get(request=request, action="assigned")
    assert event.by_id == account.user_id
    assert client_person.status_code == 400
    assert client_person.json()["detail"] == "Pieprasījumu var piešķirt tikai VZD darbiniekam."
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_clerk"
    assert settled.status_code == 409
    assert settled.json()["detail"] == "Pieprasījums ir „Atsaukts”: tas vairs nav jāizskata."


def boundary_template(service, **extra):
    fields = {"name": "Robežu plāns", "text": "Iesniedziet zemes robežu plānu.", **extra}
    template = RequestTemplate.objects.create(service=service, **fields)
    template.items.create(position=1, name="Zemes robežu plāns", signed_required=True)
    template.items.create(position=2, name="Kontakttālrunis", kind="information")
    return template


def test_a_request_from_a_template_has_its_text_and_items_as_the_admins(
    account, token, owner, owner_client
):
    part = in_progress_part(owner_client)
    template = boundary_template(part.service)
    eservice = EServiceFactory(
        client=owner_client, requested_by=owner, status=EServiceStatus.PROCESSING
    )
    on_eservice = boundary_template(eservice.service, name="E-pakalpojumam")

    response = call(
        "post",
        token,
        f"/api/v1/backoffice/orders/{part.order.number}/parts/1/requests",
        {"template": template.pk},
    )
    own_text = call(
        "post",
        token,
        f"/api/v1/backoffice/eservices/{eservice.pk}/requests",
        {"template": on_eservice.pk, "text": "Tikai plānu, lūdzu."},
    )

    assert response.status_code == 201, response.content
    assert response.json()["part_status"] == OrderStatus.SUSPENDED
    request = Request.objects.get(order_part=part)
    assert (request.template, request.text, request.raised_by_id) == (
        template,
        template.text,
        account.user_id,
    )
    assert [(i.name, i.kind, i.signed_required) for i in request.items.all()] == [
        ("Zemes robežu plāns", "file", True),
        ("Kontakttālrunis", "information", False),
    ]
    assert own_text.status_code == 201, own_text.content
    edited = Request.objects.get(eservice=eservice)
    assert (edited.template, edited.text) == (on_eservice, "Tikai plānu, lūdzu.")
    assert [i.name for i in edited.items.all()] == ["Zemes robežu plāns", "Kontakttālrunis"]


def test_explicit_items_replace_the_templates_as_the_clerk_edits_them(token, owner_client):
    part = in_progress_part(owner_client)
    template = boundary_template(part.service)

    response = call(
        "post",
        token,
        f"/api/v1/backoffice/orders/{part.order.number}/parts/1/requests",
        {"template": template.pk, "items": [{"name": "Pilnvara"}]},
    )

    assert response.status_code == 201, response.content
    request = Request.objects.get()
    assert request.text == template.text
    assert [i.name for i in request.items.all()] == ["Pilnvara"]


def test_a_template_not_offered_for_the_service_is_400_and_nothing_raised(token, owner_client):
    part = in_progress_part(owner_client)
    others = boundary_template(Service.objects.exclude(pk=part.service_id).first())
    inactive = boundary_template(part.service, name="Vairs ne", active=False)
    path = f"/api/v1/backoffice/orders/{part.order.number}/parts/1/requests"

    foreign = call("post", token, path, {"template": others.pk})
    hidden = call("post", token, path, {"template": inactive.pk})
    unknown = call("post", token, path, {"template": 999999})
    neither = call("post", token, path, {"items": [{"name": "Pilnvara"}]})

    assert [r.status_code for r in (foreign, hidden, unknown)] == [400, 400, 400]
    assert {r.json()["code"] for r in (foreign, hidden, unknown)} == {"unknown_template"}
    assert unknown.json()["detail"] == (
        f"Pieprasījuma veidne Nr. 999999 nav atrasta vai netiek piedāvāta pakalpojumam "
        f"„{part.service.name}”."
    )
    assert (neither.status_code, neither.json()["detail"]) == (
        400,
        "Aprakstiet, kas klientam jāiesniedz.",
    )
    assert not Request.objects.exists()
    part.refresh_from_db()
    assert part.status == OrderStatus.IN_PROGRESS


def test_a_replayed_request_from_a_template_is_raised_once(token, owner_client):
    part = in_progress_part(owner_client)
    template = boundary_template(part.service)
    path = f"/api/v1/backoffice/orders/{part.order.number}/parts/1/requests"

    first = call("post", token, path, {"template": template.pk}, key="tpl-1")
    again = call("post", token, path, {"template": template.pk}, key="tpl-1")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Request.objects.count() == 1


def test_a_request_from_a_template_without_requests_write_is_403(superuser, owner_client):
    part = in_progress_part(owner_client)
    template = boundary_template(part.service)
    others = [s for s in BackOfficeScope if s != BackOfficeScope.REQUESTS_WRITE]
    without = access_token(make_account(superuser, others, "Bez pieprasījumiem"))

    refused = call(
        "post",
        without,
        f"/api/v1/backoffice/orders/{part.order.number}/parts/1/requests",
        {"template": template.pk},
    )

    assert (refused.status_code, refused.json()["scope"]) == (403, "requests:write")
    assert not Request.objects.exists()
