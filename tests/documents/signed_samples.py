"""Signed documents the page tests upload: issue 16's cases, made with the test PKI
(tests/signatures/pki.py), and the fixtures that trust its root."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.documents import bombs
from tests.signatures import builders
from tests.signatures.pki import NOW, PKI, ocsp_response

FILES = {
    "iesniegums.pdf": builders.plain_pdf("Iesniegums"),
    "pielikumi/plāns 1.dwg": b"AC1027" + bytes(range(256)) * 40,
}
WHEN = r"\d\d\.\d\d\.\d{4} \d\d:\d\d"


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> PKI:
    return PKI.build(tmp_path_factory.mktemp("signed-documents") / "trust")


@pytest.fixture
def trust_store(settings, pki):
    settings.SIGNATURE_TRUST_STORE = str(pki.trust_store)
    return pki.trust_store


def edoc(pki: PKI, *signers, tsa="trusted", ocsp=None, files=FILES) -> bytes:
    authority = {"trusted": pki.tsa, "untrusted": pki.untrusted_tsa, None: None}[tsa]
    return builders.signed_asice(files, *signers, tsa=authority, ocsp=ocsp)


def changed_signature_value(container: bytes) -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(container)).read("META-INF/signatures0.xml")
    value = re.search(rb'Id="S0-SIG">([^<]+)<', xml).group(1)
    flipped = value[:10] + (b"A" if value[10:11] != b"A" else b"B") + value[11:]
    return builders.replace_member(
        container, "META-INF/signatures0.xml", xml.replace(value, flipped)
    )


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in FILES.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@dataclass(frozen=True)
class Case:
    name: str  # the file name uploaded
    build: object  # pki -> bytes
    words: str  # a regular expression the page's words for it match (fullmatch)
    stored: bool = True  # taken where no signature is required (the generic upload check)
    accepted_when_required: bool = False


JANIS = rf"Parakstīts — Jānis Bērziņš, {WHEN}, ar laika zīmogu"
ANNA = rf"Parakstīts — Anna Kalniņa, {WHEN}, ar laika zīmogu"
CASES = {
    "valid-one-signer": Case(
        "iesniegums.edoc", lambda pki: edoc(pki, pki.janis), JANIS, accepted_when_required=True
    ),
    "valid-two-signers": Case(
        "iesniegums.edoc",
        lambda pki: edoc(pki, pki.janis, pki.anna),
        f"{JANIS}\n{ANNA}",
        accepted_when_required=True,
    ),
    "data-file-changed": Case(
        "iesniegums.edoc",
        lambda pki: builders.replace_member(
            edoc(pki, pki.janis), "iesniegums.pdf", builders.plain_pdf("Cits")
        ),
        "Paraksts nav derīgs: datne mainīta pēc parakstīšanas",
    ),
    "changed-signature-value": Case(
        "iesniegums.edoc",
        lambda pki: changed_signature_value(edoc(pki, pki.janis)),
        "Paraksts nav derīgs: paraksta vērtība neatbilst parakstītajiem datiem",
    ),
    "untrusted-ca": Case(
        "iesniegums.edoc",
        lambda pki: edoc(pki, pki.stranger),
        "Parakstītāja sertifikāts nav uzticams",
    ),
    "expired-certificate": Case(
        "iesniegums.edoc",
        lambda pki: edoc(pki, pki.expired),
        "Paraksts nav derīgs: parakstītāja sertifikāts nebija derīgs parakstīšanas brīdī",
    ),
    "revoked-with-ocsp": Case(
        "iesniegums.edoc",
        lambda pki: edoc(
            pki, pki.revoked, ocsp=ocsp_response(pki.revoked, revoked_at=NOW - timedelta(days=10))
        ),
        "Paraksts nav derīgs: parakstītāja sertifikāts ir atsaukts",
    ),
    "no-time-stamp": Case(
        "iesniegums.edoc", lambda pki: edoc(pki, pki.janis, tsa=None), "Bez laika zīmoga"
    ),
    "untrusted-tsa": Case(
        "iesniegums.edoc", lambda pki: edoc(pki, pki.janis, tsa="untrusted"), "Bez laika zīmoga"
    ),
    "plain-zip-renamed-edoc": Case(
        "iesniegums.edoc",
        lambda pki: plain_zip(),
        "Datnes „iesniegums.edoc” nosaukuma paplašinājums neatbilst tās saturam.*",
        stored=False,
    ),
    "container-bomb-named-edoc": Case(
        "iesniegums.edoc",
        lambda pki: bombs.asice_with(bombs.zeros("nulles.bin", 256 * bombs.MiB)),
        "Datne „iesniegums.edoc” ir saspiesta neparasti cieši.*",
        stored=False,
    ),
    "signed-pdf": Case(
        "iesniegums.pdf",
        lambda pki: builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=pki.tsa),
        JANIS,
        accepted_when_required=True,
    ),
    "pdf-updated-after-signing": Case(
        "iesniegums.pdf",
        lambda pki: builders.changed_after_signing(
            builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=pki.tsa)
        ),
        "Paraksts nav derīgs: datne mainīta pēc parakstīšanas",
    ),
    "pdf-untrusted-signer": Case(
        "iesniegums.pdf",
        lambda pki: builders.signed_pdf(builders.plain_pdf(), pki.stranger, tsa=pki.tsa),
        "Parakstītāja sertifikāts nav uzticams",
    ),
    "unsigned-pdf": Case("iesniegums.pdf", lambda pki: builders.plain_pdf(), "Nav parakstīts"),
    "valid-asics": Case(
        "iesniegums.asics",
        lambda pki: asics(pki, pki.janis),
        JANIS,
        accepted_when_required=True,
    ),
}


def asics(pki: PKI, signer) -> bytes:
    """An ASiC-S container: one data file, its signature, no manifest."""
    files = {"iesniegums.pdf": FILES["iesniegums.pdf"]}
    signature = builders.xades_signatures(files, signer, tsa=pki.tsa)
    return builders.asice(
        files, [signature], mimetype=b"application/vnd.etsi.asic-s+zip", with_manifest=False
    )
