"""Attack: upload containers built to make validation slow or greedy.

The reported case: a 46 MB `.zip` whose central directory lists 1,040,000 entries was accepted
after 11 s of CPU and 475 MB. Each hostile container of tests/documents/bombs.py must be refused
with its Latvian message (the cost is measured by bench/validation.py, not asserted here), and
the ordinary containers people send (a DOCX with a chart, an .edoc signing a DOCX) still pass.
"""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from documents.models import Document
from documents.uploads import SESSION_KEY
from manskonts.validation import validate_upload
from tests.documents import bombs, samples
from tests.factories import EServiceFactory

MiB = bombs.MiB


def too_many(name: str) -> str:
    return f"Datnē „{name}” ir vairāk nekā 10\xa0000 iekļauto datņu. Sadaliet to vairākās datnēs."


def too_compressed(name: str) -> str:
    return (
        f"Datne „{name}” ir saspiesta neparasti cieši (vairāk nekā 100 reizes) "
        "un var būt bīstama, tāpēc to nevar pieņemt."
    )


def nested(name: str, inner: str) -> str:
    return (
        f"Datnē „{name}” ir ievietots arhīvs „{inner}”. "
        "Iesniedziet tā saturu atsevišķi, bez ievietotiem arhīviem."
    )


def refusal(name: str, data: bytes) -> list[str]:
    with pytest.raises(ValidationError) as error:
        validate_upload(samples.upload(name, data))
    return error.value.messages


@pytest.mark.parametrize(
    ("name", "build", "message"),
    [
        ("saraksts.zip", bombs.million_entries, too_many("saraksts.zip")),
        ("saraksts.zip", bombs.lying_count, too_many("saraksts.zip")),
        ("saraksts.zip", bombs.just_over_the_entry_limit, too_many("saraksts.zip")),
        ("42.zip", bombs.nested_42, nested("42.zip", "0.zip")),
        ("plāni.zip", lambda: bombs.high_ratio(64 * MiB), too_compressed("plāni.zip")),
        ("liels.zip", bombs.huge_declared_size, too_compressed("liels.zip")),
        (
            "liels.zip",
            lambda: bombs.just_over_the_unpacked_total(500 * MiB, 100),
            "Datnes „liels.zip” saturs pēc izpakošanas pārsniegtu 500,0\xa0MB. "
            "Sadaliet to vairākās datnēs.",
        ),
        (
            "pārklājas.zip",
            bombs.overlapping,
            "Datnes „pārklājas.zip” uzbūve ir bojāta vai neparasta (tās daļas pārklājas), "
            "tāpēc to nevar pieņemt.",
        ),
        ("līgums.docx", lambda: bombs.docx_bomb(64 * MiB), too_compressed("līgums.docx")),
        ("līgums.docx", bombs.docx_embedding_many_entries, too_many("līgums.docx")),
        (
            "parakstīts.edoc",
            lambda: bombs.asice_with_docx_bomb(64 * MiB),
            too_compressed("parakstīts.edoc"),
        ),
        ("parakstīts.edoc", bombs.asice_with_zip, nested("parakstīts.edoc", "pielikumi.zip")),
        (
            "tabula.xlsx",
            lambda: bombs.raw_zip(
                [
                    bombs.CONTENT_TYPES,
                    bombs.stored("xl/workbook.xml", b"<w/>"),
                    bombs.stored("xl/media/arhīvs.bin", bombs.raw_zip([bombs.stored("a", b"x")])),
                ]
            ),
            nested("tabula.xlsx", "arhīvs.bin"),
        ),
        (
            "atskaite.odt",
            lambda: bombs.raw_zip(
                [
                    bombs.stored("mimetype", b"application/vnd.oasis.opendocument.text"),
                    bombs.deflated("Pictures/a.gz", b"\x1f\x8b\x08\x00" + bytes(100)),
                ]
            ),
            nested("atskaite.odt", "a.gz"),
        ),
    ],
    ids=[
        "million-entries-zip64",
        "million-entries-claiming-one",
        "10001-entries",
        "42-zip",
        "high-ratio-member",
        "huge-declared-size",
        "total-unpacked-size",
        "overlapping-records",
        "docx-bomb",
        "docx-embedding-20000-entries",
        "edoc-signing-a-docx-bomb",
        "edoc-signing-a-zip",
        "xlsx-holding-a-zip",
        "odt-holding-a-gzip",
    ],
)
def test_hostile_container_is_refused_with_its_message(name, build, message):
    assert refusal(name, build()) == [message]


def test_a_password_protected_zip_is_refused_with_a_message():
    member = bombs.stored("a.pdf", bombs.PDF)
    data = bytearray(bombs.raw_zip([member]))
    # Set the "encrypted" flag in the local header and the central directory record.
    data[6] |= 0x1
    data[data.rindex(b"PK\x01\x02") + 8] |= 0x1

    assert refusal("slepens.zip", bytes(data)) == [
        "Datne „slepens.zip” ir aizsargāta ar paroli, tāpēc to nevar pārbaudīt. "
        "Iesniedziet to bez paroles."
    ]


def test_an_unusual_compression_method_is_refused_with_a_message():
    member = bombs.Member("a.pdf", bombs.PDF, len(bombs.PDF), method=12)  # bzip2

    assert refusal("bzip.zip", bombs.raw_zip([member])) == [
        "Datnē „bzip.zip” izmantota neatbalstīta saspiešanas metode. "
        "Saspiediet datnes no jauna ar parasto ZIP (Deflate) saspiešanu."
    ]


def register_text() -> bytes:
    """3 MB of land register lines: text compresses well, but not a hundred times."""
    rng = random.Random(12)
    words = ["zemes", "gabals", "būve", "kadastra", "numurs", "platība", "īpašnieks", "daļa"]
    lines = (
        f"{rng.randrange(10**10):011d} {rng.choice(words)} {rng.choice(words)} "
        f"{rng.randrange(1, 99999)} m² {rng.randrange(1, 12)}/{rng.randrange(12, 24)}\n"
        for _ in range(60_000)
    )
    return "".join(lines).encode()


@pytest.mark.parametrize(
    ("name", "build", "kind"),
    [
        ("parakstīts.edoc", bombs.asice_with_docx, "asice"),
        ("grafiks.docx", bombs.docx_with_chart, "docx"),
        (
            "daudz.zip",
            lambda: bombs.raw_zip([bombs.deflated(f"{i}.txt", b"x") for i in range(9_999)]),
            "zip",
        ),
        ("teksts.zip", lambda: bombs.raw_zip([bombs.deflated("a.txt", register_text())]), "zip"),
    ],
    ids=["edoc-signing-a-docx", "docx-with-a-chart", "9999-entries", "3-mb-of-text"],
)
def test_ordinary_containers_still_pass(name, build, kind):
    assert validate_upload(samples.upload(name, build())).kind.code == kind


@pytest.mark.django_db
def test_uploading_a_million_entry_zip_stores_nothing_and_says_why(signed_in, owner, owner_client):
    eservice = EServiceFactory(client=owner_client)
    http = signed_in(owner)

    response = http.post(
        reverse("documents:upload_eservice", args=[eservice.pk]),
        {"files": [samples.upload("saraksts.zip", bombs.million_entries())]},
    )

    assert response.status_code == 303
    assert Document.objects.count() == 0
    assert http.session[SESSION_KEY]["errors"] == [too_many("saraksts.zip")]
