"""Submitting documents to an order or an e-service: all or nothing, scoped, POST only."""

import re
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse

from documents.models import Document
from documents.uploads import SESSION_KEY
from tests.documents import samples
from tests.factories import EServiceFactory, OrderFactory, OrderPartFactory

pytestmark = pytest.mark.django_db


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def order(owner_client):
    order = OrderFactory(client=owner_client, number="2026-0000042")
    OrderPartFactory(order=order, part_number=1)
    return order


@pytest.fixture
def eservice(owner_client):
    return EServiceFactory(client=owner_client)


def order_url(order) -> str:
    return reverse("documents:upload_order", args=[order.number])


def eservice_url(eservice) -> str:
    return reverse("documents:upload_eservice", args=[eservice.pk])


def test_upload_order_stores_every_file_under_a_generated_key(signed_in, owner, order, settings):
    http = signed_in(owner)

    response = http.post(
        order_url(order),
        {
            "files": [
                samples.upload("../../iesniegums.pdf", samples.PDF),
                samples.upload("plāns.png", samples.PNG),
            ]
        },
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("orders:detail", args=[order.number])
    documents = list(Document.objects.order_by("original_name"))
    assert [d.original_name for d in documents] == ["iesniegums.pdf", "plāns.png"]
    assert {d.direction for d in documents} == {Document.Direction.SUBMITTED}
    assert {d.order_part_id for d in documents} == {order.parts.get().pk}
    assert {d.uploaded_by_id for d in documents} == {owner.pk}
    assert [d.content_type for d in documents] == ["application/pdf", "image/png"]
    for document in documents:
        assert document.file.name.startswith("documents/")
        assert "iesniegums" not in document.file.name and "plāns" not in document.file.name
        assert ".." not in document.file.name
    assert len(stored_files(settings)) == 2
    assert documents[0].file.read() == samples.PDF


def test_upload_eservice_stores_file(signed_in, owner, eservice):
    http = signed_in(owner)

    response = http.post(
        eservice_url(eservice), {"files": [samples.upload("a.docx", samples.DOCX)]}
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("eservices:detail", args=[eservice.pk])
    assert list(Document.objects.values_list("eservice_id", "original_name")) == [
        (eservice.pk, "a.docx")
    ]


def test_upload_success_says_what_was_submitted(signed_in, owner, eservice):
    http = signed_in(owner)

    response = http.post(
        eservice_url(eservice), {"files": [samples.upload("a.pdf", samples.PDF)]}, follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["Iesniegta 1 datne: a.pdf."]


@pytest.mark.parametrize(
    ("files", "error"),
    [
        (
            [("rēķins.pdf", samples.HTML)],
            "Datnei „rēķins.pdf” jābūt PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, "
            "ASiC-E (EDOC) vai ASiC-S formātā.",
        ),
        (
            [("x.pdf.html", samples.HTML)],
            "Datnei „x.pdf.html” jābūt PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, "
            "ASiC-E (EDOC) vai ASiC-S formātā.",
        ),
        (
            [("x.pdf.html", samples.PDF)],
            "Datnes „x.pdf.html” nosaukuma paplašinājums neatbilst tās saturam (PDF). "
            "Pārsauciet datni vai izvēlieties citu.",
        ),
        ([("tukšs.pdf", b"")], "Datne „tukšs.pdf” ir tukša. Izvēlieties datni, kurā ir saturs."),
        ([("../../x", samples.HTML)], None),
        ([], "Izvēlieties vismaz vienu datni."),
    ],
)
def test_upload_refused_stores_nothing(signed_in, owner, eservice, settings, files, error):
    http = signed_in(owner)
    # A good file alongside the bad one: all or nothing.
    payload = [samples.upload(name, data) for name, data in files]
    if files:
        payload.append(samples.upload("labs.pdf", samples.PDF))

    response = http.post(eservice_url(eservice), {"files": payload})

    assert response.status_code == 303
    assert response["Location"].endswith("#iesniegt-dokumentus")
    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    feedback = http.session[SESSION_KEY]
    assert feedback["url"] == eservice_url(eservice)
    if error:
        assert feedback["errors"] == [error]
    else:
        assert len(feedback["errors"]) == 1


def test_upload_refuses_oversized_file(signed_in, owner, eservice, settings):
    settings.FILE_UPLOAD_MAX_BYTES = 2048
    http = signed_in(owner)

    http.post(eservice_url(eservice), {"files": [samples.upload("liels.pdf", samples.PDF * 200)]})

    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    assert http.session[SESSION_KEY]["errors"] == [
        "Datnei „liels.pdf” jābūt mazākai par 2,0\xa0KB."
    ]


def test_upload_refuses_too_many_files(signed_in, owner, eservice, settings):
    http = signed_in(owner)
    count = settings.FILE_UPLOAD_MAX_FILES + 1

    http.post(
        eservice_url(eservice),
        {"files": [samples.upload(f"{i}.pdf", samples.PDF) for i in range(count)]},
    )

    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    assert http.session[SESSION_KEY]["errors"] == [
        f"Vienā reizē var iesniegt ne vairāk kā {count - 1} datnes. Jūs izvēlējāties {count}."
    ]


@pytest.mark.parametrize("count", [16, 100, 101, 150])
def test_upload_far_too_many_files_says_so_on_the_form(signed_in, owner, eservice, settings, count):
    """Beyond the limit the files are only counted, never stored; past 100 the upload is cut off
    where it stands (Django's own check used to answer a bare 400 from the 16th file on)."""
    http = signed_in(owner)

    response = http.post(
        eservice_url(eservice),
        {"files": [samples.upload(f"{i}.pdf", samples.PDF) for i in range(count)]},
    )

    assert response.status_code == 303
    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    limit = settings.FILE_UPLOAD_MAX_FILES
    expected = f"Vienā reizē var iesniegt ne vairāk kā {limit} datnes."
    if count <= 100:
        expected += f" Jūs izvēlējāties {count}."
    assert http.session[SESSION_KEY]["errors"] == [expected]


def test_upload_order_with_several_parts_needs_a_part(signed_in, owner, order, settings):
    OrderPartFactory(order=order, part_number=2)
    http = signed_in(owner)

    http.post(order_url(order), {"files": [samples.upload("a.pdf", samples.PDF)]})

    assert Document.objects.count() == 0
    assert stored_files(settings) == []
    assert http.session[SESSION_KEY]["errors"] == [
        "Izvēlieties pasūtījuma daļu, kurai iesniedzat dokumentus."
    ]


def test_upload_order_goes_to_the_chosen_part(signed_in, owner, order):
    second = OrderPartFactory(order=order, part_number=2)
    http = signed_in(owner)

    http.post(order_url(order), {"part": "2", "files": [samples.upload("a.pdf", samples.PDF)]})

    assert list(Document.objects.values_list("order_part_id", flat=True)) == [second.pk]


def test_upload_order_refuses_a_part_of_another_order(signed_in, owner, order):
    OrderPartFactory(order=order, part_number=2)
    OrderPartFactory(part_number=7)  # someone else's order
    http = signed_in(owner)

    http.post(order_url(order), {"part": "7", "files": [samples.upload("a.pdf", samples.PDF)]})

    assert Document.objects.count() == 0


def test_upload_by_outsider_is_404(signed_in, outsider, order, eservice):
    http = signed_in(outsider)
    payload = {"files": [samples.upload("a.pdf", samples.PDF)]}

    assert http.post(order_url(order), payload).status_code == 404
    assert http.post(eservice_url(eservice), payload).status_code == 404
    assert Document.objects.count() == 0


def test_upload_get_is_405(signed_in, owner, order, eservice):
    http = signed_in(owner)

    assert http.get(order_url(order)).status_code == 405
    assert http.get(eservice_url(eservice)).status_code == 405


def test_upload_anonymous_redirects_to_sign_in(client, order):
    response = client.post(order_url(order), {"files": [samples.upload("a.pdf", samples.PDF)]})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert Document.objects.count() == 0


def test_upload_without_csrf_token_is_403(owner, eservice):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(owner)

    response = http.post(eservice_url(eservice), {"files": [samples.upload("a.pdf", samples.PDF)]})

    assert response.status_code == 403
    assert Document.objects.count() == 0


@pytest.mark.parametrize("persona", ["legal_admin", "colleague"])
def test_upload_by_legal_persons_users(request, signed_in, legal, persona):
    user = request.getfixturevalue(persona)
    eservice = EServiceFactory(client=legal)
    http = signed_in(user, acting_for=legal)

    response = http.post(eservice_url(eservice), {"files": [samples.upload("a.pdf", samples.PDF)]})

    assert response.status_code == 303
    assert Document.objects.get().eservice_id == eservice.pk


def test_upload_acting_for_oneself_cannot_reach_legal_persons_eservice(signed_in, legal, colleague):
    eservice = EServiceFactory(client=legal)
    http = signed_in(colleague)

    response = http.post(eservice_url(eservice), {"files": [samples.upload("a.pdf", samples.PDF)]})

    assert response.status_code == 404


def render_partial(session, **context):
    request = RequestFactory().get("/")
    request.session = session
    return render_to_string("documents/_upload_form.html", context, request=request)


def test_upload_partial_shows_refusals_once_in_an_error_summary(owner, eservice):
    session = SessionStore()
    url = eservice_url(eservice)
    session[SESSION_KEY] = {"url": url, "errors": ["Datne „a.pdf” ir tukša."], "part": ""}
    eservice.service.required_documents = "Zemes robežu plāns"

    first = render_partial(session, upload_url=url, service=eservice.service)
    second = render_partial(session, upload_url=url, service=eservice.service)

    assert first.count('class="govuk-error-summary"') == 1
    assert first.count("Datne „a.pdf” ir tukša.") == 2  # summary and the field
    assert "Zemes robežu plāns" in first
    assert 'enctype="multipart/form-data"' in first
    assert 'name="files" type="file" multiple' in first
    assert "govuk-error-summary" not in second


def test_upload_partial_ignores_errors_of_another_form(eservice):
    session = SessionStore()
    session[SESSION_KEY] = {"url": "/cits/", "errors": ["cits"], "part": ""}

    html = render_partial(session, upload_url=eservice_url(eservice))

    assert "govuk-error-summary" not in html
    assert session[SESSION_KEY]["errors"] == ["cits"]


def test_upload_partial_offers_a_choice_of_parts(order):
    second = OrderPartFactory(order=order, part_number=2)

    html = render_partial(
        SessionStore(), upload_url=order_url(order), parts=[order.parts.get(part_number=1), second]
    )

    assert html.count('name="part" type="radio"') == 2


def test_upload_with_a_very_long_odd_unicode_name_is_stored_under_a_generated_key(
    signed_in, owner, eservice
):
    name = "\u202e" + "Ķ\u0301ē" * 200 + "\x07.pdf"
    http = signed_in(owner)

    response = http.post(eservice_url(eservice), {"files": [samples.upload(name, samples.PDF)]})

    assert response.status_code == 303
    document = Document.objects.get()
    assert len(document.original_name) == 150
    assert document.original_name.endswith(".pdf")
    assert "\u202e" not in document.original_name and "\x07" not in document.original_name
    assert document.file.name.startswith("documents/")
    assert "Ķ" not in document.file.name


def test_upload_refusal_names_the_field_and_links_to_the_first_part_radio(signed_in, owner, order):
    """Issue 14 point 4: the missing part links to its first radio, the file's refusal to the file
    input, each named; both errors also sit at their fields."""
    second = OrderPartFactory(order=order, part_number=2)
    http = signed_in(owner)
    http.post(order_url(order), {"files": [samples.upload("tukšs.pdf", b"")]})

    html = render_partial(
        http.session, upload_url=order_url(order), parts=[order.parts.get(part_number=1), second]
    )

    summary = html.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [(target, text.split(" — ")[0]) for target, text in links] == [
        ("upload-part_0", "Pasūtījuma daļa"),
        ("upload-files", "Datnes"),
    ]
    assert links[0][1].endswith("Izvēlieties pasūtījuma daļu, kurai iesniedzat dokumentus.")
    assert 'id="upload-part_0" name="part" type="radio" value="1"' in html
    assert 'aria-describedby="upload-part-hint upload-part-error"' in html
    assert 'aria-describedby="upload-files-hint upload-files-error"' in html
    assert '<p id="upload-part-error" class="govuk-error-message">' in html


@pytest.mark.parametrize("status", ["completed", "rejected", "cancelled"])
def test_a_closed_eservice_offers_no_upload_form_and_refuses_a_post(
    signed_in, owner, eservice, settings, status
):
    eservice.status = status
    eservice.save()
    http = signed_in(owner)

    page = http.get(reverse("eservices:detail", args=[eservice.pk])).content.decode()
    response = http.post(
        eservice_url(eservice), {"files": [samples.upload("a.pdf", samples.PDF)]}, follow=True
    )

    assert 'action="' + eservice_url(eservice) + '"' not in page
    assert "Dokumentus vairs nevar iesniegt: e-pakalpojuma statuss ir „" in page
    assert response.redirect_chain == [(reverse("eservices:detail", args=[eservice.pk]), 303)]
    assert [str(m) for m in response.context["messages"]] == [
        f"Dokumentus vairs nevar iesniegt: e-pakalpojuma statuss ir „{eservice.get_status_display()}”."
    ]
    assert not Document.objects.exists() and stored_files(settings) == []


def test_an_open_eservice_offers_the_upload_form(signed_in, owner, eservice):
    page = signed_in(owner).get(reverse("eservices:detail", args=[eservice.pk])).content.decode()

    assert 'action="' + eservice_url(eservice) + '"' in page


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_closed_order_offers_no_upload_form_and_refuses_a_post(
    signed_in, owner, order, settings, status
):
    order.parts.update(status=status)
    http = signed_in(owner)

    page = http.get(reverse("orders:detail", args=[order.number])).content.decode()
    response = http.post(
        order_url(order), {"files": [samples.upload("a.pdf", samples.PDF)]}, follow=True
    )

    assert 'action="' + order_url(order) + '"' not in page
    assert "Dokumentus vairs nevar iesniegt: visas pasūtījuma daļas ir pabeigtas vai" in page
    assert [str(m) for m in response.context["messages"]] == [
        f"Dokumentus vairs nevar iesniegt: pasūtījuma daļas 1 statuss ir „{order.parts.get().get_status_display()}”."
    ]
    assert not Document.objects.exists() and stored_files(settings) == []


def test_an_order_with_one_open_part_takes_documents_for_it_only(signed_in, owner, order):
    order.parts.update(status="completed")
    OrderPartFactory(order=order, part_number=2, status="in_progress")
    http = signed_in(owner)

    page = http.get(reverse("orders:detail", args=[order.number])).content.decode()
    closed = http.post(
        order_url(order), {"part": "1", "files": [samples.upload("a.pdf", samples.PDF)]}
    )
    open_ = http.post(
        order_url(order), {"part": "2", "files": [samples.upload("b.pdf", samples.PDF)]}
    )

    assert 'action="' + order_url(order) + '"' in page
    assert (closed.status_code, open_.status_code) == (303, 303)
    assert list(Document.objects.values_list("order_part__part_number", "original_name")) == [
        (2, "b.pdf")
    ]
