"""Staff and signatures: the result on every document in the admin (its own page and the order
part / e-service inlines), the validator's report for staff only, a result VZD signs, checking
stored documents again, and loading an EU Trusted List into the trust store."""

from __future__ import annotations

import base64
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from documents.models import Document, SignatureStatus
from documents.signing import check_stored
from signatures.trusted_list import CA_QC, GRANTED, TSA_QTST, read_trusted_list
from tests.documents.conftest import make_document
from tests.documents.signed_samples import JANIS, edoc
from tests.documents.test_admin import part_change_data
from tests.factories import StaffFactory
from tests.signatures import builders

pytestmark = pytest.mark.django_db

EDOC = "application/vnd.etsi.asic-e+zip"


@pytest.fixture(autouse=True)
def _trusted(trust_store):
    return trust_store


@pytest.fixture
def admin_http(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def checked_edoc(pki, owner_eservice):
    document = make_document(
        name="iesniegums.edoc",
        data=edoc(pki, pki.janis, pki.anna),
        eservice=owner_eservice,
        direction=Document.Direction.SUBMITTED,
        content_type=EDOC,
    )
    return check_stored(document.pk)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_document_admin_shows_each_signature_with_its_personal_code(admin_http, checked_edoc):
    response = admin_http.get(reverse("admin:documents_document_change", args=[checked_edoc.pk]))

    assert response.status_code == 200
    page = text(response)
    assert re.search(
        r"Jānis Bērziņš \(PNOLV-010203-12345\), \d\d\.\d\d\.\d{4} \d\d:\d\d, ar laika zīmogu "
        r"— parakstīts, derīgs",
        page,
    ), page
    assert re.search(rf"Paraksts: {JANIS} {JANIS.replace('Jānis Bērziņš', 'Anna Kalniņa')}", page)
    assert "Anna Kalniņa (PNOLV-111111-22222)" in page
    assert "iesniegums.pdf" in page and "pielikumi/plāns 1.dwg" in page
    assert "Lejupielādēt atskaiti (JSON)" in page


def test_the_document_list_filters_by_the_signature_check(admin_http, checked_edoc):
    response = admin_http.get(
        reverse("admin:documents_document_changelist"), {"signature_status": "valid"}
    )

    assert response.status_code == 200
    assert re.search(JANIS, text(response))


def test_the_order_part_inline_shows_the_result(pki, admin_http, paid_order):
    part = paid_order.parts.get()
    document = make_document(
        name="pieteikums.edoc",
        data=edoc(pki, pki.stranger),
        order_part=part,
        direction=Document.Direction.SUBMITTED,
        content_type=EDOC,
    )
    check_stored(document.pk)

    response = admin_http.get(reverse("admin:orders_orderpart_change", args=[part.pk]))

    assert "Parakstītāja sertifikāts nav uzticams" in text(response)


def test_the_report_downloads_for_staff_with_personal_codes(admin_http, checked_edoc):
    response = admin_http.get(
        reverse("admin:documents_document_signature_report", args=[checked_edoc.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "attachment" in response["Content-Disposition"]
    report = json.loads(response.content)
    assert report["status"] == "valid"
    assert [s["personal_code"] for s in report["signatures"]] == [
        "PNOLV-010203-12345",
        "PNOLV-111111-22222",
    ]


def test_the_report_is_not_for_clients(signed_in, owner, checked_edoc):
    response = signed_in(owner).get(
        reverse("admin:documents_document_signature_report", args=[checked_edoc.pk])
    )

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_a_result_the_clerk_attaches_is_checked_and_shown_as_signed_by_vzd(
    pki, admin_http, signed_in, owner, paid_order, django_capture_on_commit_callbacks
):
    part = paid_order.parts.get()
    upload = SimpleUploadedFile("izziņa.pdf", _signed_pdf(pki))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_http.post(
            reverse("admin:orders_orderpart_change", args=[part.pk]),
            part_change_data(part, upload),
        )

    assert response.status_code == 302
    assert Document.objects.get().signature_status == SignatureStatus.VALID
    page = text(signed_in(owner).get(reverse("orders:detail", args=[paid_order.number])))
    assert re.search(r"Parakstījis VZD, \d\d\.\d\d\.\d{4} \d\d:\d\d, ar laika zīmogu", page)
    assert "Jānis Bērziņš" not in page


def _signed_pdf(pki) -> bytes:
    return builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=pki.tsa)


def test_check_again_from_the_admin_list(client, checked_edoc, settings, tmp_path):
    client.force_login(StaffFactory(is_superuser=True))
    settings.SIGNATURE_TRUST_STORE = str(tmp_path)  # now nobody is trusted

    response = client.post(
        reverse("admin:documents_document_changelist"),
        {"action": "check_signatures_again", "_selected_action": [checked_edoc.pk]},
    )

    assert response.status_code == 302
    checked_edoc.refresh_from_db()
    assert checked_edoc.signature_status == SignatureStatus.UNTRUSTED


# --- revalidate_signatures ------------------------------------------------------------------------


def test_the_command_checks_stored_documents_again_after_the_trust_store_changed(
    pki, checked_edoc, settings, tmp_path
):
    assert checked_edoc.signature_status == SignatureStatus.VALID
    settings.SIGNATURE_TRUST_STORE = str(tmp_path)  # the root removed
    out = StringIO()

    call_command("revalidate_signatures", stdout=out)

    checked_edoc.refresh_from_db()
    assert checked_edoc.signature_status == SignatureStatus.UNTRUSTED
    assert checked_edoc.signature_words == "Parakstītāja sertifikāts nav uzticams"
    assert out.getvalue() == "Checked 1 documents: untrusted 1.\n"


def test_the_command_skips_purged_files_and_other_kinds(pki, owner_eservice, checked_edoc):
    image = make_document(name="a.png", data=b"\x89PNG\r\n", eservice=owner_eservice)
    image.content_type = "image/png"
    image.save()
    Document.objects.filter(pk=checked_edoc.pk).update(deleted_at="2026-01-01T00:00Z")
    out = StringIO()

    call_command("revalidate_signatures", stdout=out)

    assert out.getvalue() == "Checked 0 documents: none.\n"


def test_the_command_refuses_an_unknown_document():
    with pytest.raises(CommandError, match="No such document"):
        call_command("revalidate_signatures", "--id", "999999")


# --- load_trusted_list ----------------------------------------------------------------------------


def trusted_list(services: list[tuple[str, str, bytes]], territory: str = "LV") -> bytes:
    """A small ETSI TS 119 612 list: (service type, status, DER certificate) each."""
    entries = "".join(
        f"""<TSPService><ServiceInformation>
          <ServiceTypeIdentifier>{kind}</ServiceTypeIdentifier>
          <ServiceName><Name xml:lang="en">Service {index}</Name></ServiceName>
          <ServiceDigitalIdentity><DigitalId><X509Certificate>
            {base64.encodebytes(der).decode()}
          </X509Certificate></DigitalId></ServiceDigitalIdentity>
          <ServiceStatus>{status}</ServiceStatus>
        </ServiceInformation></TSPService>"""
        for index, (kind, status, der) in enumerate(services)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" TSLTag="http://uri.etsi.org/19612/TSLTag">
  <SchemeInformation><SchemeTerritory>{territory}</SchemeTerritory></SchemeInformation>
  <TrustServiceProviderList><TrustServiceProvider>
    <TSPInformation><TSPName><Name xml:lang="en">Testa uzticamības pakalpojumi</Name></TSPName></TSPInformation>
    <TSPServices>{entries}</TSPServices>
  </TrustServiceProvider></TrustServiceProviderList>
</TrustServiceStatusList>""".encode()


def der(identity) -> bytes:
    return identity.cert.public_bytes(serialization.Encoding.DER)


WITHDRAWN = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn"


def test_a_trusted_list_loads_the_granted_ca_and_tsa_certificates(pki, tmp_path):
    xml = trusted_list(
        [
            (CA_QC, GRANTED, der(pki.intermediate)),
            (TSA_QTST, GRANTED, der(pki.tsa)),
            (CA_QC, WITHDRAWN, der(pki.other_root)),
            ("http://uri.etsi.org/TrstSvc/Svctype/EDS/Q", GRANTED, der(pki.untrusted_tsa)),
        ]
    )

    services = read_trusted_list(xml)

    assert [s.name for s in services] == ["Service 0", "Service 1"]
    assert {s.provider for s in services} == {"Testa uzticamības pakalpojumi"}


def test_the_command_writes_the_list_into_the_trust_store_and_documents_validate(
    pki, settings, tmp_path, owner_eservice
):
    store = tmp_path / "trust"
    settings.SIGNATURE_TRUST_STORE = str(store)
    (store).mkdir()
    (store / "own.pem").write_bytes(b"operator's own file")
    source = tmp_path / "LV.xml"
    source.write_bytes(trusted_list([(CA_QC, GRANTED, der(pki.intermediate))]))
    document = make_document(
        name="iesniegums.edoc",
        data=edoc(pki, pki.janis, tsa=None),
        eservice=owner_eservice,
        content_type=EDOC,
    )
    out = StringIO()

    call_command("load_trusted_list", str(source), "--revalidate", stdout=out)

    names = sorted(p.name for p in store.iterdir())
    assert names[0] == "own.pem" and re.fullmatch(r"tl-LV-[0-9a-f]{16}\.pem", names[1])
    assert len(names) == 2
    assert out.getvalue().startswith("LV: 1 services, 1 certificates in ")
    document.refresh_from_db()
    # the signer's issuing CA, now a trust anchor: trusted (no time stamp in this one)
    assert document.signature_status == SignatureStatus.NO_TIMESTAMP


def test_loading_a_newer_list_removes_what_it_no_longer_grants(pki, tmp_path):
    store = tmp_path / "trust"
    first, second = tmp_path / "1.xml", tmp_path / "2.xml"
    first.write_bytes(
        trusted_list([(CA_QC, GRANTED, der(pki.intermediate)), (TSA_QTST, GRANTED, der(pki.tsa))])
    )
    second.write_bytes(
        trusted_list([(CA_QC, GRANTED, der(pki.intermediate)), (TSA_QTST, WITHDRAWN, der(pki.tsa))])
    )

    call_command("load_trusted_list", str(first), "--folder", str(store), stdout=StringIO())
    call_command("load_trusted_list", str(second), "--folder", str(store), stdout=StringIO())

    assert len(list(store.glob("tl-LV-*.pem"))) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<not-xml", "not well-formed XML"),
        (b"<root/>", "not an ETSI TS 119 612"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]>'
            b'<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"/>',
            "DOCTYPE",
        ),
    ],
)
def test_the_command_refuses_what_is_no_trusted_list(tmp_path, content, message):
    source = tmp_path / "x.xml"
    source.write_bytes(content)

    with pytest.raises(CommandError, match=message):
        call_command("load_trusted_list", str(source), "--folder", str(tmp_path / "t"))

    assert not (tmp_path / "t").exists() or not list(Path(tmp_path / "t").iterdir())


def test_the_command_refuses_a_list_with_nothing_granted(pki, tmp_path):
    source = tmp_path / "x.xml"
    source.write_bytes(trusted_list([(CA_QC, WITHDRAWN, der(pki.intermediate))]))

    with pytest.raises(CommandError, match="no granted"):
        call_command("load_trusted_list", str(source), "--folder", str(tmp_path / "t"))
