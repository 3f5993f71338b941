"""The legal-person account application: submit, review in the admin, approve / reject / duplicate."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.applications import approve_application, reject_application
from accounts.models import Client, LegalPersonApplication, Membership, User
from accounts.tables import APPLICATIONS
from manskonts.workflow import StatusChangeError
from notifications.models import Notification
from tests.factories import LegalClientFactory, UserFactory
from tests.tables import headers as table_headers
from tests.tables import rows as table_rows

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
NUMBER = "50003123455"
LISTED = "32051741234"


def asice() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.etsi.asic-e+zip")
        archive.writestr("pilnvara.pdf", PDF)
        archive.writestr("META-INF/signatures0.xml", "<XAdESSignatures/>")
    return buffer.getvalue()


def form_data(**overrides) -> dict:
    data = {
        "registration_number": "5000 312 3455",
        "name": "SIA „Jaunā Zeme”",
        "legal_address": "Krišjāņa Barona iela 1, Rīga, LV-1050",
        "email": "birojs@jauna-zeme.example.lv",
        "phone": "+371 67038600",
        "authority": "board",
        "authority_document": SimpleUploadedFile("valdes-lemums.pdf", PDF, "application/pdf"),
        "user_codes": f"{LISTED}\n120585-12340",
    }
    data.update(overrides)
    return data


def make_application(applicant, **overrides) -> LegalPersonApplication:
    defaults = {
        "registration_number": NUMBER,
        "name": "SIA „Jaunā Zeme”",
        "legal_address": "Krišjāņa Barona iela 1, Rīga",
        "email": "birojs@example.lv",
        "phone": "+37167038600",
        "authority": LegalPersonApplication.Authority.BOARD_MEMBER,
        "authority_document": SimpleUploadedFile("x.pdf", PDF),
        "authority_document_name": "valdes-lemums.pdf",
        "authority_document_type": "application/pdf",
        "user_codes": [LISTED],
    }
    defaults.update(overrides)
    return LegalPersonApplication.objects.create(applicant=applicant, **defaults)


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def applicant(db):
    return UserFactory(first_name="Ilze", last_name="Krūmiņa")


@pytest.fixture
def reviewer(db):
    from django.contrib.auth.models import Group

    from accounts.roles import ACCOUNT_REVIEWER
    from tests.factories import StaffFactory

    user = StaffFactory()
    user.groups.set([Group.objects.get(name=ACCOUNT_REVIEWER)])
    http = HttpClient()
    http.force_login(user)
    return user, http


# --- The applicant's form ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_application_form_creates_a_pending_application(signed_in, applicant, settings):
    http = signed_in(applicant)

    response = http.post("/pieteikums/juridiska-persona/", form_data())

    application = LegalPersonApplication.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pieteikums/{application.pk}/"
    assert (application.applicant, application.status) == (applicant, "pending")
    assert application.registration_number == NUMBER
    assert application.user_codes == [LISTED, "12058512340"]
    assert application.authority_document_name == "valdes-lemums.pdf"
    assert "valdes" not in application.authority_document.name
    assert len(stored_files(settings)) == 1
    assert not Client.objects.filter(registration_number=NUMBER).exists()


@pytest.mark.django_db
def test_application_accepts_an_asice_container(signed_in, applicant):
    upload = SimpleUploadedFile("pilnvara.asice", asice())

    response = signed_in(applicant).post(
        "/pieteikums/juridiska-persona/",
        form_data(authority="attorney", authority_document=upload),
    )

    assert response.status_code == 302
    assert LegalPersonApplication.objects.get().authority_document_type == (
        "application/vnd.etsi.asic-e+zip"
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lemums.pdf", b"<html><script>alert(1)</script></html>", "formātā"),
        ("bilde.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "PDF vai ASiC-E"),
        ("lemums.pdf", b"", "tukš"),
        ("x.pdf.html", PDF, "paplašinājums"),
    ],
)
@pytest.mark.django_db
def test_application_refuses_a_document_that_is_not_pdf_or_asice(
    signed_in, applicant, settings, name, content, message
):
    upload = SimpleUploadedFile(name, content, "application/pdf")

    response = signed_in(applicant).post(
        "/pieteikums/juridiska-persona/", form_data(authority_document=upload)
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not LegalPersonApplication.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_application_refuses_an_oversized_document(signed_in, applicant, settings):
    upload = SimpleUploadedFile("liels.pdf", PDF + b"0" * (10 * 1024 * 1024))

    response = signed_in(applicant).post(
        "/pieteikums/juridiska-persona/", form_data(authority_document=upload)
    )

    assert response.status_code == 400
    assert "mazākam par 10,0" in response.content.decode()
    assert stored_files(settings) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("registration_number", "40003517890"),  # wrong check digit
        ("registration_number", "12058512340"),  # a personal code
        ("registration_number", "<script>"),
        ("email", "not-an-email"),
        ("phone", "call me"),
        ("authority", "king"),
        ("user_codes", "120585-12340\n999999-99999"),
        ("name", ""),
        ("name", "x" * 10_000),
    ],
)
@pytest.mark.django_db
def test_application_refuses_bad_input_with_a_message(signed_in, applicant, field, value):
    response = signed_in(applicant).post(
        "/pieteikums/juridiska-persona/", form_data(**{field: value})
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in page
    assert "<script>" not in page.split("<main", 1)[1]
    assert not LegalPersonApplication.objects.exists()


@pytest.mark.django_db
def test_application_for_an_already_registered_number_is_refused(signed_in, applicant, settings):
    LegalClientFactory(registration_number=NUMBER)

    response = signed_in(applicant).post("/pieteikums/juridiska-persona/", form_data())

    assert response.status_code == 400
    assert "jau ir reģistrēta Mans konts" in response.content.decode()
    assert not LegalPersonApplication.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_second_application_while_one_is_pending_is_refused(signed_in, applicant, outsider):
    make_application(outsider)

    response = signed_in(applicant).post("/pieteikums/juridiska-persona/", form_data())

    assert response.status_code == 400
    assert "jau ir izskatīšanā" in response.content.decode()
    assert LegalPersonApplication.objects.count() == 1


@pytest.mark.django_db
def test_application_form_needs_sign_in():
    response = HttpClient().get("/pieteikums/juridiska-persona/")

    assert response.status_code == 302
    assert response["Location"].startswith("/pieslegties/?next=")


@pytest.mark.django_db
def test_application_form_renders_for_a_signed_in_person(signed_in, applicant):
    response = signed_in(applicant).get("/pieteikums/juridiska-persona/")

    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.content.decode()


# --- The applicant's list and detail -------------------------------------------------------------


@pytest.mark.django_db
def test_application_list_shows_only_ones_own(signed_in, applicant, outsider):
    mine = make_application(applicant)
    theirs = make_application(outsider, registration_number="90000123450", name="Svešs")

    response = signed_in(applicant).get("/pieteikums/")

    assert list(response.context["applications"]) == [mine]
    assert theirs.name not in response.content.decode()


@pytest.mark.django_db
def test_application_list_query_count_is_the_same_for_one_and_many_rows(signed_in, applicant):
    def add(n):
        make_application(
            applicant,
            status="rejected",
            rejection_reason="x",
            registration_number=f"4000300{n:04d}",
        )

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = http.get("/pieteikums/")
        assert response.status_code == 200
        return len(queries), len(response.context["applications"])

    http = signed_in(applicant)
    http.get("/pieteikums/")  # the session's first request sets it up; measure the steady state
    add(0)
    one = count()
    for n in range(1, 20):
        add(n)
    many = count()

    assert (one[1], many[1]) == (1, 20)
    assert one[0] == many[0]


@pytest.mark.django_db
def test_application_detail_access(signed_in, applicant, outsider):
    application = make_application(applicant)
    url = f"/pieteikums/{application.pk}/"

    assert signed_in(applicant).get(url).status_code == 200
    assert signed_in(outsider).get(url).status_code == 404
    assert signed_in(outsider).post(url).status_code in (404, 405)
    assert HttpClient().get(url)["Location"].startswith("/pieslegties/?next=")
    assert signed_in(applicant).get("/pieteikums/999999/").status_code == 404


# --- Decisions (service) ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_approve_creates_the_legal_person_with_its_administrator_and_users(applicant, clerk):
    existing = UserFactory(personal_code=LISTED)
    application = make_application(applicant, user_codes=[LISTED, "12058512340"])

    client = approve_application(application, by=clerk)

    assert (client.kind, client.registration_number, client.name) == (
        "legal",
        NUMBER,
        "SIA „Jaunā Zeme”",
    )
    roles = dict(
        Membership.objects.filter(client=client).values_list("user__personal_code", "role")
    )
    assert roles == {applicant.personal_code: "admin", LISTED: "user", "12058512340": "user"}
    assert Membership.objects.get(client=client, user=existing).role == "user"
    created = User.objects.get(personal_code="12058512340")
    assert Client.objects.filter(person=created).count() == 1
    application.refresh_from_db()
    assert (application.status, application.client, application.decided_by) == (
        "approved",
        client,
        clerk,
    )


@pytest.mark.django_db
def test_approve_notifies_the_applicant(applicant, clerk):
    application = make_application(applicant)

    approve_application(application, by=clerk)

    notification = Notification.objects.get(recipient=applicant)
    assert notification.client == Client.objects.get_or_create_for_person(applicant)
    assert notification.kind == Notification.Kind.ACCOUNT
    assert notification.subject == "Pieteikums apstiprināts: SIA „Jaunā Zeme”"
    assert notification.link == f"/pieteikums/{application.pk}/"


@pytest.mark.django_db
def test_reject_keeps_the_reason_the_applicant_sees(signed_in, applicant, clerk):
    application = make_application(applicant)

    reject_application(application, by=clerk, reason="Pilnvara nav parakstīta.")

    page = signed_in(applicant).get(f"/pieteikums/{application.pk}/").content.decode()
    assert "Pilnvara nav parakstīta." in page
    assert not Client.objects.filter(registration_number=NUMBER).exists()
    assert Notification.objects.get(recipient=applicant).subject.startswith("Pieteikums noraidīts")


@pytest.mark.django_db
def test_reject_without_a_reason_is_refused(applicant, clerk):
    application = make_application(applicant)

    with pytest.raises(Exception, match="noraidīšanas iemeslu"):
        reject_application(application, by=clerk, reason="  ")

    application.refresh_from_db()
    assert application.status == "pending"


@pytest.mark.django_db
def test_a_decided_application_cannot_be_decided_again(applicant, clerk):
    application = make_application(applicant)
    approve_application(application, by=clerk)

    with pytest.raises(StatusChangeError):
        reject_application(application, by=clerk, reason="Vēlāk pārdomāju.")
    with pytest.raises(StatusChangeError):
        approve_application(application, by=clerk)

    assert Client.objects.filter(registration_number=NUMBER).count() == 1


@pytest.mark.django_db
def test_approve_for_a_number_registered_meanwhile_is_refused_and_changes_nothing(applicant, clerk):
    application = make_application(applicant)
    LegalClientFactory(registration_number=NUMBER)

    with pytest.raises(Exception, match="jau ir reģistrēta"):
        approve_application(application, by=clerk)

    application.refresh_from_db()
    assert application.status == "pending"
    assert Membership.objects.filter(user=applicant).count() == 0
    assert not Notification.objects.exists()


# --- Decisions in the admin --------------------------------------------------------------------------


@pytest.mark.django_db
def test_reviewer_sees_the_application_and_its_document_in_the_admin(reviewer, applicant):
    _user, http = reviewer
    application = make_application(applicant)

    page = http.get(reverse("admin:accounts_legalpersonapplication_change", args=[application.pk]))
    document = http.get(
        reverse("admin:accounts_legalpersonapplication_document", args=[application.pk])
    )

    assert page.status_code == 200
    assert "Apstiprināt pieteikumu" in page.content.decode()
    assert document.status_code == 200
    assert document["Content-Disposition"].startswith("attachment;")
    assert document["X-Content-Type-Options"] == "nosniff"
    assert b"".join(document.streaming_content) == PDF


@pytest.mark.django_db
def test_reviewer_approves_in_the_admin(reviewer, applicant):
    user, http = reviewer
    application = make_application(applicant)
    url = reverse("admin:accounts_legalpersonapplication_decide", args=[application.pk])

    response = http.post(url, {"decision": "approve"})

    application.refresh_from_db()
    assert response.status_code == 302
    assert (application.status, application.decided_by) == ("approved", user)
    assert Membership.objects.get(user=applicant).role == "admin"


@pytest.mark.django_db
def test_reviewer_rejects_in_the_admin_with_a_reason(reviewer, applicant):
    _user, http = reviewer
    application = make_application(applicant)
    url = reverse("admin:accounts_legalpersonapplication_decide", args=[application.pk])

    without = http.post(url, {"decision": "reject", "reason": ""})
    application.refresh_from_db()
    assert (without.status_code, application.status) == (302, "pending")

    http.post(url, {"decision": "reject", "reason": "Nav pievienota pilnvara."})
    application.refresh_from_db()
    assert (application.status, application.rejection_reason) == (
        "rejected",
        "Nav pievienota pilnvara.",
    )


@pytest.mark.django_db
def test_admin_decision_refuses_get_and_staff_without_the_role(applicant):
    from tests.factories import StaffFactory

    application = make_application(applicant)
    url = reverse("admin:accounts_legalpersonapplication_decide", args=[application.pk])
    http = HttpClient()
    http.force_login(StaffFactory())

    assert http.get(url).status_code == 405
    assert http.post(url, {"decision": "approve"}).status_code == 403
    application.refresh_from_db()
    assert application.status == "pending"


@pytest.mark.django_db
def test_staff_create_a_legal_persons_account_directly(reviewer):
    _user, http = reviewer

    response = http.post(
        reverse("admin:accounts_client_add"),
        {
            "name": "SIA „Klātienes Klients”",
            "registration_number": "4000 300 0002",
            "legal_address": "Rīga",
            "email": "",
            "phone": "",
            "administrator_code": "120585-12340",
            "user_codes": LISTED,
        },
    )

    client = Client.objects.get(registration_number="40003000002")
    assert response.status_code == 302
    assert client.kind == "legal"
    roles = dict(
        Membership.objects.filter(client=client).values_list("user__personal_code", "role")
    )
    assert roles == {"12058512340": "admin", LISTED: "user"}


@pytest.mark.django_db
def test_staff_cannot_create_a_duplicate_legal_person(reviewer, legal):
    _user, http = reviewer

    response = http.post(
        reverse("admin:accounts_client_add"),
        {
            "name": "Dublikāts",
            "registration_number": legal.registration_number,
            "legal_address": "Rīga",
            "administrator_code": "120585-12340",
            "user_codes": "",
        },
    )

    assert response.status_code == 200
    assert "jau ir reģistrēta" in response.content.decode()
    assert Client.objects.filter(registration_number=legal.registration_number).count() == 1


def error_summary_links(page: str) -> list[tuple[str, str]]:
    summary = page.split('class="govuk-error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)


@pytest.mark.django_db
def test_an_empty_application_names_every_missing_field_in_the_summary(signed_in, applicant):
    """Issue 14 point 4: each item says which field and what to do, and links to its input (the
    first radio of the authority group), never seven times "Šis lauks ir nepieciešams."."""
    response = signed_in(applicant).post("/pieteikums/juridiska-persona/", {})

    page = response.content.decode()
    assert response.status_code == 400
    assert error_summary_links(page) == [
        ("id_registration_number", "Reģistrācijas numurs — Norādiet reģistrācijas numuru."),
        ("id_name", "Nosaukums — Norādiet juridiskās personas nosaukumu."),
        ("id_legal_address", "Juridiskā adrese — Norādiet juridisko adresi."),
        ("id_email", "Kontaktu e-pasts — Norādiet kontaktu e-pasta adresi."),
        ("id_phone", "Tālrunis — Norādiet tālruņa numuru."),
        ("id_authority_0", "Jūsu pārstāvības pamats — Izvēlieties, uz kāda pamata pārstāvat."),
        (
            "id_authority_document",
            "Pārstāvību apliecinošs dokuments — Pievienojiet pārstāvību apliecinošu dokumentu.",
        ),
    ]
    assert str(forms.Field.default_error_messages["required"]) not in page
    for target, _text in error_summary_links(page):
        assert f'id="{target}"' in page
    assert 'aria-describedby="id_registration_number-hint id_registration_number-error"' in page
    assert '<fieldset class="govuk-fieldset" aria-describedby="id_authority-error">' in page


@pytest.mark.django_db
def test_application_list_table_comes_from_its_declaration(signed_in, applicant):
    http = signed_in(applicant)
    http.post("/pieteikums/juridiska-persona/", form_data())
    application = LegalPersonApplication.objects.get()

    page = http.get(reverse("accounts:application_list")).content.decode()
    detail = http.get(f"/pieteikums/{application.pk}/").content.decode()

    assert table_headers(page, "applications") == [str(c.label) for c in APPLICATIONS.columns]
    [row] = table_rows(page, "applications")
    assert f'href="/pieteikums/{application.pk}/"' in row["Juridiskā persona"]
    assert row["Reģistrācijas numurs"] == NUMBER
    tag = '<strong class="govuk-tag govuk-tag--blue">Izskatīšanā</strong>'
    assert row["Statuss"] == tag
    assert tag in detail
