"""Downloads: scoped to the client, results only when paid in full "VZD kontā", safe headers."""

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from documents.models import Document
from orders.models import OrderPart
from tests.documents.conftest import make_document
from tests.factories import InvoiceFactory, OrderPartFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def url(document) -> str:
    return reverse("documents:download", args=[document.pk])


def zip_url(order) -> str:
    return reverse("documents:results_zip", args=[order.number])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_private_attachment(response, disposition: str) -> None:
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_download_submitted_file_by_owner(signed_in, owner, owner_eservice):
    document = make_document(
        name="iesniegums.pdf", eservice=owner_eservice, direction=Document.Direction.SUBMITTED
    )

    response = signed_in(owner).get(url(document))

    assert response.status_code == 200
    assert body(response) == b"%PDF-1.4\n%%EOF\n"
    assert response["Content-Type"] == "application/octet-stream"
    assert_private_attachment(
        response,
        "attachment; filename=\"iesniegums.pdf\"; filename*=UTF-8''iesniegums.pdf",
    )


@pytest.mark.parametrize(
    ("name", "disposition"),
    [
        ("lapa.html", "attachment; filename=\"lapa.html\"; filename*=UTF-8''lapa.html"),
        (
            "zīmējums.svg",
            "attachment; filename=\"zimejums.svg\"; filename*=UTF-8''z%C4%ABm%C4%93jums.svg",
        ),
        ("skripts.sh", "attachment; filename=\"skripts.sh\"; filename*=UTF-8''skripts.sh"),
        (
            'ļ"aun;s\r\n.pdf',
            "attachment; filename=\"l_aun_s.pdf\"; filename*=UTF-8''%C4%BC%22aun%3Bs.pdf",
        ),
    ],
)
def test_download_of_dangerous_names_is_a_safe_attachment(
    signed_in, owner, owner_eservice, name, disposition
):
    document = make_document(
        name=name,
        data=b"<script>alert(1)</script>",
        eservice=owner_eservice,
        direction=Document.Direction.SUBMITTED,
    )

    response = signed_in(owner).get(url(document))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert_private_attachment(response, disposition)


def test_download_by_outsider_is_404(signed_in, outsider, owner_eservice, paid_order):
    documents = [
        make_document(eservice=owner_eservice, direction=Document.Direction.SUBMITTED),
        make_document(order_part=paid_order.parts.get(), direction=Document.Direction.RESULT),
    ]
    http = signed_in(outsider)

    assert [http.get(url(d)).status_code for d in documents] == [404, 404]
    assert http.get(zip_url(paid_order)).status_code == 404


def test_download_post_is_405(signed_in, owner, owner_eservice):
    document = make_document(eservice=owner_eservice, direction=Document.Direction.SUBMITTED)

    assert signed_in(owner).post(url(document)).status_code == 405


def test_download_anonymous_redirects_to_sign_in(client, owner_eservice):
    document = make_document(eservice=owner_eservice, direction=Document.Direction.SUBMITTED)

    response = client.get(url(document))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_download_missing_document_is_404(signed_in, owner):
    assert signed_in(owner).get(reverse("documents:download", args=[999999])).status_code == 404


@pytest.mark.parametrize("persona", ["legal_admin", "colleague"])
def test_download_by_legal_persons_users(request, signed_in, legal, persona):
    from tests.factories import EServiceFactory

    user = request.getfixturevalue(persona)
    document = make_document(
        eservice=EServiceFactory(client=legal), direction=Document.Direction.SUBMITTED
    )

    assert signed_in(user, acting_for=legal).get(url(document)).status_code == 200
    assert signed_in(user).get(url(document)).status_code == 404  # acting as oneself


def test_result_of_paid_order_is_served(signed_in, owner, paid_order):
    document = make_document(name="izziņa.pdf", order_part=paid_order.parts.get())

    response = signed_in(owner).get(url(document))

    assert response.status_code == 200
    assert_private_attachment(
        response, "attachment; filename=\"izzina.pdf\"; filename*=UTF-8''izzi%C5%86a.pdf"
    )


def test_result_of_unpaid_order_is_refused_naming_the_invoice(signed_in, owner, unpaid_order):
    document = make_document(order_part=unpaid_order.parts.get())

    response = signed_in(owner).get(url(document))

    assert response.status_code == 403
    assert strip_tags(response.context["reason"]) == (
        "Rezultātu varēs lejupielādēt, kad pasūtījums būs apmaksāts pilnā apmērā. "
        "Apmaksājiet rēķinu R2026-000200."
    )
    assert response["Cache-Control"] == "private, no-store"
    # the unpaid invoice is a link to its page, where it is paid
    assert (
        '<a class="govuk-link" href="/mans-konts/rekini/R2026-000200/">R2026-000200</a>'
        in response.content.decode()
    )


def test_result_of_part_paid_order_is_refused(signed_in, owner, part_paid_order):
    document = make_document(order_part=part_paid_order.parts.get())

    response = signed_in(owner).get(url(document))

    assert response.status_code == 403
    assert "R2026-000300" in response.context["reason"]


def test_result_not_delivered_to_the_account_is_refused(signed_in, owner, paid_order):
    part = paid_order.parts.get()
    part.delivery_method = OrderPart.Delivery.POST
    part.save()
    document = make_document(order_part=part)

    response = signed_in(owner).get(url(document))

    assert response.status_code == 403
    assert response.context["reason"].startswith("Rezultātu nevar lejupielādēt")


def test_deleted_file_is_refused_with_the_reason(signed_in, owner, owner_eservice):
    from django.utils import timezone

    document = make_document(eservice=owner_eservice, direction=Document.Direction.SUBMITTED)
    Document.objects.filter(pk=document.pk).update(deleted_at=timezone.now(), file="")

    response = signed_in(owner).get(url(document))

    assert response.status_code == 403
    assert response.context["reason"] == "Datne dzēsta pēc 90 dienām."


def test_results_zip_holds_exactly_the_orders_downloadable_results(signed_in, owner, paid_order):
    from django.utils import timezone

    part = paid_order.parts.get()
    make_document(name="izziņa.pdf", data=b"%PDF-1 a", order_part=part)
    make_document(name="izziņa.pdf", data=b"%PDF-1 b", order_part=part)
    make_document(name="plāns.png", data=b"\x89PNG b", order_part=part)
    # Not in the ZIP: a submitted file, a deleted result, another order's result.
    make_document(name="iesniegts.pdf", order_part=part, direction=Document.Direction.SUBMITTED)
    gone = make_document(name="vecs.pdf", order_part=part)
    Document.objects.filter(pk=gone.pk).update(deleted_at=timezone.now(), file="")
    other = OrderPartFactory(order__client=paid_order.client)
    PaymentFactory(invoice=InvoiceFactory(order=other.order))
    make_document(name="cits.pdf", order_part=other)

    response = signed_in(owner).get(zip_url(paid_order))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert_private_attachment(
        response,
        'attachment; filename="rezultati-2026-0000100.zip"; '
        "filename*=UTF-8''rezultati-2026-0000100.zip",
    )
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert archive.namelist() == ["izziņa.pdf", "izziņa (2).pdf", "plāns.png"]
    assert archive.read("izziņa (2).pdf") == b"%PDF-1 b"
    assert archive.testzip() is None


def test_results_zip_leaves_out_parts_not_delivered_to_the_account(signed_in, owner, paid_order):
    make_document(name="a.pdf", order_part=paid_order.parts.get())
    posted = OrderPartFactory(
        order=paid_order, part_number=2, delivery_method=OrderPart.Delivery.POST
    )
    make_document(name="b.pdf", order_part=posted)

    response = signed_in(owner).get(zip_url(paid_order))

    assert zipfile.ZipFile(io.BytesIO(body(response))).namelist() == ["a.pdf"]


def test_results_zip_of_unpaid_order_is_refused(signed_in, owner, unpaid_order):
    make_document(order_part=unpaid_order.parts.get())

    response = signed_in(owner).get(zip_url(unpaid_order))

    assert response.status_code == 403
    assert "R2026-000200" in response.context["reason"]
    assert 'href="/mans-konts/rekini/R2026-000200/">R2026-000200</a>' in response.content.decode()


def test_results_zip_without_results_says_so(signed_in, owner, paid_order):
    response = signed_in(owner).get(zip_url(paid_order))

    assert response.status_code == 403
    assert response.context["reason"] == "Šim pasūtījumam nav lejupielādējamu rezultātu."


def test_order_page_links_the_results_zip_once_and_only_when_results_may_be_downloaded(
    signed_in, owner, paid_order, unpaid_order
):
    second = OrderPartFactory(order=paid_order, part_number=2)
    make_document(name="a.pdf", order_part=paid_order.parts.get(part_number=1))
    make_document(name="b.pdf", order_part=second)
    make_document(name="c.pdf", order_part=unpaid_order.parts.get())
    http = signed_in(owner)

    paid = http.get(reverse("orders:detail", args=[paid_order.number])).content.decode()
    unpaid = http.get(reverse("orders:detail", args=[unpaid_order.number])).content.decode()

    assert paid.count(zip_url(paid_order)) == 1
    assert zip_url(unpaid_order) not in unpaid


# --- A record whose object is missing from storage (issue 11, point 6) ----------------------------


def test_download_of_a_file_missing_from_storage_says_so_instead_of_a_500(
    signed_in, owner, owner_eservice
):
    from django.core.files.storage import default_storage

    document = make_document(name="pazudis.pdf", eservice=owner_eservice)
    default_storage.delete(document.file.name)  # as a purge killed after the delete would leave it

    response = signed_in(owner).get(url(document))

    assert response.status_code == 410
    assert "Datne vairs nav pieejama" in response.content.decode()
    assert "pazudis.pdf" in response.content.decode()


def test_results_zip_leaves_out_a_result_missing_from_storage(signed_in, owner, paid_order):
    from django.core.files.storage import default_storage

    part = paid_order.parts.get()
    make_document(name="ir.pdf", data=b"%PDF-1 ir", order_part=part)
    missing = make_document(name="nav.pdf", order_part=part)
    default_storage.delete(missing.file.name)

    response = signed_in(owner).get(zip_url(paid_order))

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert archive.namelist() == ["ir.pdf"]
    assert archive.testzip() is None


def test_results_zip_with_every_result_missing_from_storage_says_so(signed_in, owner, paid_order):
    from django.core.files.storage import default_storage

    missing = make_document(name="nav.pdf", order_part=paid_order.parts.get())
    default_storage.delete(missing.file.name)

    response = signed_in(owner).get(zip_url(paid_order))

    assert response.status_code == 410
    assert "1 rezultāta datne vairs nav pieejama: tā ir dzēsta" in response.content.decode()
