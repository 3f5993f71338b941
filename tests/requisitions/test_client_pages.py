"""The client's side of requests: the box on the overview, the request on the order and
e-service pages, the answer page (draft kept across visits, submit, refusals, bad files), the
lists' tag and filter, and who may see what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from eservices.models import EServiceStatus
from eservices.services import change_eservice_status
from manskonts.validation import ALLOWED_LABELS, validate_upload
from orders.models import OrderPart
from orders.services import change_order_part_status
from orders.workflow import OrderStatus
from requisitions import services
from requisitions.models import Answer, Request, RequestItem
from requisitions.services import ItemSpec
from requisitions.workflow import RequestState
from tests.factories import (
    EServiceFactory,
    OrderFactory,
    OrderPartFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ITEMS = [
    ItemSpec("Zemes robežu plāns"),
    ItemSpec("Kontakttālrunis", RequestItem.Kind.INFORMATION),
]


def pdf(name="plans.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def clerk():
    return StaffFactory(email="klerks@vzd.example", first_name="Ilze")


@pytest.fixture
def part(owner_client):
    order = OrderFactory(client=owner_client, number="2026-0004001")
    return OrderPartFactory(
        order=order,
        client=owner_client,
        part_number=1,
        status=OrderStatus.IN_PROGRESS,
        planned_completion_date=timezone.localdate() + timedelta(days=40),
    )


@pytest.fixture
def raised(part, clerk) -> Request:
    return services.raise_request(
        part,
        ITEMS,
        "Iesniedziet zemes robežu plānu un kontakttālruni.",
        by=clerk,
        deadline=timezone.localdate() + timedelta(days=10),
    )


@pytest.fixture
def http(owner, signed_in):
    return signed_in(owner)


def answer_url(req) -> str:
    return reverse("requisitions:answer", args=[req.pk])


def fields(req):
    file_item, info_item = req.items.order_by("position")
    return f"item_{file_item.pk}_files", f"item_{info_item.pk}_text"


def page(response) -> str:
    return response.content.decode()


# --- Where the client sees it ---------------------------------------------------------------------


def test_the_overview_counts_the_requests_awaiting_the_client(http, raised, owner_client):
    other = EServiceFactory(client=owner_client)
    services.raise_request(other, ITEMS[:1], "Vajag plānu.", by=None)
    html = page(http.get(reverse("overview")))

    assert "Jums jārīkojas" in html
    assert "VZD gaida Jūsu atbildi uz 2 pieprasījumiem." in html
    assert answer_url(raised) in html
    assert "?awaiting=on" in html


def test_no_box_when_nothing_awaits(http, raised, clerk):
    services.withdraw(raised, by=clerk)
    assert "Jums jārīkojas" not in page(http.get(reverse("overview")))


def test_the_order_page_shows_the_request_in_its_part(http, raised, part):
    html = page(http.get(reverse("orders:detail", args=[part.order.number])))

    assert f"VZD pieprasījums Nr. {raised.pk}" in html
    assert "Iesniedziet zemes robežu plānu un kontakttālruni." in html
    assert "Zemes robežu plāns" in html and "Kontakttālrunis" in html
    assert raised.deadline.strftime("%d.%m.%Y") in html
    # Ten days ahead, or the working day after them when they end on a weekend or holiday.
    days = (raised.deadline - timezone.localdate()).days
    assert 10 <= days <= 14
    assert f"Atlikušas {days} dienas" in html
    assert answer_url(raised) in html
    assert "Apturēts" in html  # the part is suspended while the client is waited for


def test_days_left_in_words(raised):
    from requisitions.client import days_left_text

    today = raised.deadline
    assert days_left_text(raised, today) == "Termiņš ir šodien"
    assert days_left_text(raised, today - timedelta(days=1)) == "Atlikusi 1 diena"
    assert days_left_text(raised, today + timedelta(days=1)) == "Termiņš ir beidzies"


def test_the_eservice_page_shows_its_request(http, owner_client):
    eservice = EServiceFactory(client=owner_client)
    req = services.raise_request(eservice, ITEMS, "Vajag plānu.", by=None)
    html = page(http.get(reverse("eservices:detail", args=[eservice.pk])))

    assert "VZD pieprasījumi" in html and f"VZD pieprasījums Nr. {req.pk}" in html
    assert answer_url(req) in html


def test_page_query_counts_do_not_grow_with_requests(http, part, clerk, owner_client):
    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    detail = reverse("orders:detail", args=[part.order.number])
    first = services.raise_request(part, ITEMS, "Pirmais.", by=clerk)
    services.save_draft(first, by=None, message="x", files={first.items.first().pk: []})
    one_detail, one_overview = count(detail), count(reverse("overview"))
    second = OrderPartFactory(
        order=part.order, client=owner_client, part_number=2, status=OrderStatus.IN_PROGRESS
    )
    for target in (part, second, second):
        req = services.raise_request(target, ITEMS, "Vēl.", by=clerk)
        file_item = req.items.first()
        services.save_draft(req, by=None, message="x", files={file_item.pk: []})
    assert count(detail) == one_detail
    assert count(reverse("overview")) == one_overview


# --- The answer page ------------------------------------------------------------------------------


def test_draft_is_kept_across_visits_then_submitted(
    http, raised, owner, clerk, django_capture_on_commit_callbacks
):
    file_field, text_field = fields(raised)
    response = http.post(
        answer_url(raised),
        {"action": "draft", "message": "Plāns pielikumā.", text_field: "", file_field: [pdf()]},
    )
    assert response.status_code == 303 and response["Location"] == answer_url(raised)
    assert Request.objects.get(pk=raised.pk).state == RequestState.OPEN

    again = page(http.get(answer_url(raised)))  # a later visit
    assert "Plāns pielikumā." in again
    assert "Melnrakstā jau pievienotas:" in again and "plans.pdf" in again

    with django_capture_on_commit_callbacks(execute=True):
        response = http.post(
            answer_url(raised),
            {"action": "submit", "message": "Plāns pielikumā.", text_field: "+371 20000000"},
        )
    assert response.status_code == 303
    assert response["Location"].endswith(f"#pieprasijums-{raised.pk}")
    raised.refresh_from_db()
    assert raised.state == RequestState.ANSWERED
    answer = Answer.objects.get(request=raised)
    assert answer.submitted_by == owner and answer.message == "Plāns pielikumā."
    # The clerk who raised it is told
    assert [m.to for m in mail.outbox if "Saņemta atbilde" in m.subject] == [["klerks@vzd.example"]]
    # What was sent shows on the order page
    html = page(http.get(response["Location"].split("#")[0]))
    assert "Jūsu iesniegtās atbildes:" in html and "+371 20000000" in html
    assert "Atbilde ir iesniegta; VZD to izskata." in html


def test_submit_with_a_point_missing_names_it_and_keeps_the_draft(http, raised):
    file_field, text_field = fields(raised)
    response = http.post(answer_url(raised), {"action": "submit", text_field: "+371 2"})

    assert response.status_code == 400
    html = page(response)
    assert "govuk-error-summary" in html
    assert "Zemes robežu plāns — Pievienojiet datni." in html
    assert f'href="#answer-{file_field}"' in html
    raised.refresh_from_db()
    assert raised.state == RequestState.OPEN
    assert Answer.objects.get(request=raised).items.get().text == "+371 2"  # kept as a draft


def test_a_bad_file_is_refused_in_latvian_and_nothing_is_stored(http, raised, part):
    file_field, text_field = fields(raised)
    bad = SimpleUploadedFile("plans.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = http.post(
        answer_url(raised),
        {
            "action": "draft",
            "message": "Ziņa",
            text_field: "+371",
            file_field: [pdf("labs.pdf"), bad],
        },
    )

    assert response.status_code == 400
    html = page(response)
    assert "Datnei „plans.pdf” jābūt" in html
    assert "Nekas netika saglabāts." in html
    assert not Answer.objects.filter(request=raised).exists()
    assert not Document.objects.filter(order_part=part).exists()


@pytest.mark.parametrize(
    "settle",
    [
        lambda req, clerk: services.withdraw(req, by=clerk),
        lambda req, clerk: services.expire_due(req.deadline + timedelta(days=1)),
        lambda req, clerk: (
            services.expire_due(req.deadline + timedelta(days=1)),
            services.terminate(req, "Plāns netika iesniegts.", by=clerk),
        ),
        lambda req, clerk: change_order_part_status(
            req.order_part, OrderStatus.CANCELLED, by=clerk
        ),
    ],
    ids=["withdrawn", "expired", "terminated", "part-closed"],
)
def test_a_settled_request_or_closed_part_takes_no_answer(http, raised, clerk, part, settle):
    settle(raised, clerk)
    file_field, text_field = fields(raised)
    html = page(http.get(answer_url(raised)))
    assert 'name="action"' not in html
    assert 'data-testid="request-refusal"' in html

    response = http.post(
        answer_url(raised), {"action": "draft", text_field: "x", file_field: [pdf()]}
    )
    assert response.status_code == 409
    assert not Answer.objects.filter(request=raised).exists()
    assert not Document.objects.filter(order_part=part).exists()


def test_the_termination_reason_is_shown(http, raised, clerk, part):
    services.expire_due(raised.deadline + timedelta(days=1))
    services.terminate(raised, "Plāns netika iesniegts termiņā.", by=clerk)
    html = page(http.get(reverse("orders:detail", args=[part.order.number])))
    assert "Pārtraukts" in html
    assert "Plāns netika iesniegts termiņā." in html
    assert "Atbilde termiņā netika saņemta, un VZD pārtrauca izpildi." in html


def test_asked_again_text_and_earlier_answer_are_shown(http, raised, clerk):
    file_field, text_field = fields(raised)
    http.post(answer_url(raised), {"action": "submit", text_field: "+371 2", file_field: [pdf()]})
    services.ask_again(raised, "Plānam trūkst paraksta.", by=clerk)
    html = page(http.get(answer_url(raised)))
    assert "VZD lūdz papildināt atbildi" in html and "Plānam trūkst paraksta." in html
    assert "Jūsu iesniegtās atbildes:" in html and "+371 2" in html
    assert 'value="submit"' in html  # may answer again


def test_another_clients_request_is_404(raised, outsider, signed_in, legal_admin, legal):
    for http in (signed_in(outsider), signed_in(legal_admin, acting_for=legal)):
        assert http.get(answer_url(raised)).status_code == 404
        assert http.post(answer_url(raised), {"action": "draft"}).status_code == 404
    assert not Answer.objects.filter(request=raised).exists()


def test_a_request_follows_its_order_to_a_new_client(
    raised, part, outsider, signed_in, owner, clerk
):
    from accounts.models import Client
    from orders.services import change_order_client

    change_order_client(
        part.order, Client.objects.get_or_create_for_person(outsider), by=clerk, reason="Kļūda"
    )
    assert signed_in(owner).get(answer_url(raised)).status_code == 404
    assert signed_in(outsider).get(answer_url(raised)).status_code == 200


# --- The lists' tag and filter --------------------------------------------------------------------


def test_the_lists_tag_and_filter_the_rows_awaiting_the_client(
    http, raised, part, owner_client, clerk
):
    quiet = OrderPartFactory(
        order=OrderFactory(client=owner_client), client=owner_client, part_number=1
    )
    eservice = EServiceFactory(client=owner_client)
    EServiceFactory(client=owner_client)
    services.raise_request(eservice, ITEMS[:1], "Vajag.", by=clerk)

    orders = page(http.get(reverse("orders:list")))
    assert orders.count("Gaida jūsu atbildi") == 1
    filtered = http.get(reverse("orders:list"), {"awaiting": "on"})
    assert [p.pk for p in filtered.context["page"].rows] == [part.pk]
    assert quiet.pk not in [p.pk for p in filtered.context["page"].rows]
    assert "Gaida manu atbildi: jā" in page(filtered)

    eservices = http.get(reverse("eservices:list"), {"awaiting": "on"})
    assert [e.pk for e in eservices.context["page"].rows] == [eservice.pk]
    assert page(eservices).count("Gaida jūsu atbildi") == 1


def flags(req):
    if req.order_part_id:
        return OrderPart.objects.get(pk=req.order_part_id).awaiting_reply
    return type(req.eservice).objects.get(pk=req.eservice_id).awaiting_reply


def test_the_flag_follows_every_step(raised, clerk, owner):
    assert flags(raised) is True
    file_item, info_item = raised.items.order_by("position")

    services.save_draft(
        raised, by=owner, texts={info_item.pk: "x"}, files={file_item.pk: [validate_upload(pdf())]}
    )
    assert flags(raised) is True  # a draft still awaits its submit
    services.submit_answer(raised, by=owner)
    assert flags(raised) is False
    services.ask_again(raised, "Vēl.", by=clerk)
    assert flags(raised) is True
    services.expire_due(raised.deadline + timedelta(days=1))
    assert flags(raised) is False
    services.extend(raised, timezone.localdate() + timedelta(days=5), by=clerk)
    assert flags(raised) is True
    raised.refresh_from_db()
    services.expire_due(raised.deadline + timedelta(days=1))
    services.terminate(raised, "Nav.", by=clerk)
    assert flags(raised) is False


def test_the_flag_stays_while_another_request_of_the_part_awaits(raised, part, clerk):
    second = services.raise_request(part, ITEMS[:1], "Otrs.", by=clerk)
    services.withdraw(raised, by=clerk)
    assert flags(second) is True
    services.withdraw(second, by=clerk)
    assert flags(second) is False


def test_accepting_clears_nothing_twice_and_a_closed_part_awaits_nobody(
    raised, part, clerk, owner_client
):
    change_order_part_status(part, OrderStatus.CANCELLED, by=clerk)
    assert flags(raised) is False
    eservice = EServiceFactory(client=owner_client)
    req = services.raise_request(eservice, ITEMS[:1], "Vajag.", by=clerk)
    assert flags(req) is True
    change_eservice_status(eservice, EServiceStatus.CANCELLED, by=clerk)
    assert flags(req) is False


def test_a_point_that_needs_a_signed_document_says_so_and_refuses_an_unsigned_file(
    http, part, clerk
):
    req = services.raise_request(
        part, [ItemSpec("Iesniegums", signed_required=True)], "Parakstiet iesniegumu.", by=clerk
    )
    html = page(http.get(reverse("orders:detail", args=[part.order.number])))
    assert "vajadzīgs e-parakstīts dokuments" in html
    form = page(http.get(answer_url(req)))
    assert "Vajadzīgs e-parakstīts dokuments." in form
    assert ALLOWED_LABELS in form  # the formats the upload validation takes, as it names them

    field = f"item_{req.items.get().pk}_files"
    response = http.post(answer_url(req), {"action": "draft", field: [pdf("iesniegums.pdf")]})

    assert response.status_code == 400
    assert "iesniegums.pdf" in page(response) and "govuk-error-summary" in page(response)
    assert not Answer.objects.filter(request=req).exists()
    assert not Document.objects.filter(order_part=part).exists()


def test_the_order_page_shows_the_original_and_the_moved_planned_date(http, raised, part, clerk):
    planned = part.planned_completion_date
    OrderPart.objects.filter(pk=part.pk).update(
        planned_completion_date=planned + timedelta(days=3),
        original_planned_completion_date=planned,
    )
    html = page(http.get(reverse("orders:detail", args=[part.order.number])))
    moved = (planned + timedelta(days=3)).strftime("%d.%m.%Y")
    assert moved in html
    assert f"(sākotnēji {planned.strftime('%d.%m.%Y')}; pārcelts, jo izpilde bija apturēta)" in html


def test_an_order_given_to_another_client_takes_its_requests_and_their_notices(
    raised, part, outsider, owner, clerk
):
    """Found in review: the request kept its copy of the previous client, so the reminders and
    the 'accepted' notice of an order moved to another client went to the previous client."""
    from accounts.models import Client
    from notifications.models import Notification
    from orders.services import change_order_client

    new_client = Client.objects.get_or_create_for_person(outsider)
    change_order_client(part.order, new_client, by=clerk, reason="Kļūda")
    raised.refresh_from_db()
    assert raised.client == new_client

    services.withdraw(raised, by=clerk)
    told = Notification.objects.filter(subject="VZD atsauca pieprasījumu")
    assert [n.recipient for n in told] == [outsider]
    assert flags(raised) is False


def test_the_eservice_page_reads_its_requests_in_fixed_queries(http, owner_client, clerk):
    eservice = EServiceFactory(client=owner_client)
    url = reverse("eservices:detail", args=[eservice.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert http.get(url).status_code == 200
        return len(queries)

    def answered_request():
        req = services.raise_request(eservice, ITEMS, "Vajag.", by=clerk)
        file_item, info_item = req.items.order_by("position")
        services.save_draft(
            req,
            by=None,
            texts={info_item.pk: "x"},
            files={file_item.pk: [validate_upload(pdf())]},
        )
        return req

    answered_request()
    one = count()
    for _i in range(3):
        answered_request()
    assert count() == one


def test_an_eservice_request_is_answered_and_returns_to_the_eservice_page(http, owner_client):
    eservice = EServiceFactory(client=owner_client)
    req = services.raise_request(eservice, ITEMS, "Vajag plānu un tālruni.", by=None)
    file_field, text_field = fields(req)
    html = page(http.get(answer_url(req)))
    assert f"E-pakalpojums {eservice.pk}" in html

    response = http.post(
        answer_url(req), {"action": "submit", text_field: "+371 2", file_field: [pdf()]}
    )

    assert response.status_code == 303
    assert response["Location"] == (
        reverse("eservices:detail", args=[eservice.pk]) + f"#pieprasijums-{req.pk}"
    )
    req.refresh_from_db()
    assert req.state == RequestState.ANSWERED
    assert Document.objects.filter(eservice=eservice, direction="submitted").count() == 1
    assert flags(req) is False


def test_every_step_that_moves_a_request_keeps_the_flag():
    """A new step of requests that forgets the lists' flag fails here, not in a client's list."""
    import inspect

    from requisitions import services as module

    steps = [
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and name != "_move"
        and "_move(" in inspect.getsource(function)
    ]
    assert len(steps) >= 7, steps
    forgetful = [
        name
        for name in steps
        if "keep_awaiting_flag(" not in inspect.getsource(getattr(module, name))
    ]
    assert forgetful == []


def test_accepting_an_answer_leaves_the_part_awaiting_nobody(raised, clerk, owner):
    file_item, info_item = raised.items.order_by("position")
    services.save_draft(
        raised, by=owner, texts={info_item.pk: "x"}, files={file_item.pk: [validate_upload(pdf())]}
    )
    services.submit_answer(raised, by=owner)
    services.accept(raised, by=clerk)
    assert flags(raised) is False
    assert OrderPart.objects.get(pk=raised.order_part_id).status == OrderStatus.IN_PROGRESS


def test_an_answer_with_more_files_than_allowed_is_cut_off_and_named_nothing_stored(
    http, raised, part, settings
):
    settings.UPLOAD_URL_LIMITS = {
        **settings.UPLOAD_URL_LIMITS,
        "requisitions:answer": (settings.FILE_UPLOAD_MAX_BYTES, 2),
    }
    file_field, text_field = fields(raised)
    response = http.post(
        answer_url(raised),
        {
            "action": "draft",
            text_field: "+371 2",
            file_field: [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")],
        },
    )

    assert response.status_code == 400
    assert "Vienā reizē var iesniegt ne vairāk kā 2 datnes." in page(response)
    assert not Answer.objects.filter(request=raised).exists()
    assert not Document.objects.filter(order_part=part).exists()
