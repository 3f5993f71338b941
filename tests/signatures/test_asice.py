"""ASiC-E (.edoc) containers with XAdES signatures the tests make with the test PKI."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest

from signatures import Status, validate
from signatures.report import local_text
from tests.documents import bombs
from tests.signatures import builders
from tests.signatures.pki import NOW, ocsp_response

FILES = {
    "iesniegums.pdf": builders.plain_pdf("Iesniegums"),
    "pielikumi/plāns 1.dwg": b"AC1027" + bytes(range(256)) * 40,
}


def signed(pki, *signers, tsa="trusted", ocsp=None) -> bytes:
    authority = {"trusted": pki.tsa, "untrusted": pki.untrusted_tsa, None: None}[tsa]
    return builders.signed_asice(FILES, *signers, tsa=authority, ocsp=ocsp)


def words_of(signature) -> str:
    return f"{signature.signer_name}, {local_text(signature.signing_time)}"


def test_one_signer_with_a_time_stamp_is_valid_and_says_who_and_when(pki):
    report = validate(signed(pki, pki.janis), "iesniegums.edoc")

    assert report.status == Status.VALID
    [signature] = report.signatures
    assert signature.signer_name == "Jānis Bērziņš"
    assert signature.timestamped is True
    assert re.fullmatch(
        r"Parakstīts — Jānis Bērziņš, \d\d\.\d\d\.\d{4} \d\d:\d\d, ar laika zīmogu", report.words
    )
    assert report.words == f"Parakstīts — {words_of(signature)}, ar laika zīmogu"
    assert [(f.name, f.size) for f in report.data_files] == [
        (name, len(data)) for name, data in FILES.items()
    ]
    assert sorted(signature.covers) == sorted(FILES)


def test_the_personal_code_is_kept_but_left_out_of_the_staff_summary(pki):
    report = validate(signed(pki, pki.janis), "iesniegums.edoc")

    assert report.signatures[0].personal_code == "PNOLV-010203-12345"
    public = json.dumps(report.summary())
    assert "010203" not in public
    assert report.summary(private=True)["signatures"][0]["personal_code"] == "PNOLV-010203-12345"


def test_the_personal_code_is_left_out_of_the_library_messages_in_the_summary(pki):
    report = validate(signed(pki, pki.stranger), "iesniegums.edoc")

    assert report.signatures[0].details  # the path builder's message, naming the subject
    assert "040404" not in json.dumps(report.summary())
    assert "PNOLV-040404-55555" in json.dumps(report.summary(private=True))


def test_two_signers_are_both_listed(pki):
    report = validate(signed(pki, pki.janis, pki.anna), "iesniegums.edoc")

    assert report.status == Status.VALID
    assert [s.signer_name for s in report.signatures] == ["Jānis Bērziņš", "Anna Kalniņa"]
    assert [s.status for s in report.signatures] == [Status.VALID, Status.VALID]
    assert report.words == "; ".join(
        f"Parakstīts — {words_of(s)}, ar laika zīmogu" for s in report.signatures
    )


def test_a_data_file_changed_after_signing_is_invalid(pki):
    container = builders.replace_member(
        signed(pki, pki.janis), "iesniegums.pdf", builders.plain_pdf("Cits")
    )

    report = validate(container, "iesniegums.edoc")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: datne mainīta pēc parakstīšanas"


def test_a_changed_signature_value_is_invalid(pki):
    container = signed(pki, pki.janis)
    xml = zipfile.ZipFile(io.BytesIO(container)).read("META-INF/signatures0.xml")
    value = re.search(rb'Id="S0-SIG">([^<]+)<', xml).group(1)
    flipped = value[:10] + (b"A" if value[10:11] != b"A" else b"B") + value[11:]
    container = builders.replace_member(
        container, "META-INF/signatures0.xml", xml.replace(value, flipped)
    )

    report = validate(container, "iesniegums.edoc")

    assert report.status == Status.INVALID
    assert report.words == ("Paraksts nav derīgs: paraksta vērtība neatbilst parakstītajiem datiem")


def test_a_changed_signing_time_is_invalid(pki):
    container = signed(pki, pki.janis)
    xml = zipfile.ZipFile(io.BytesIO(container)).read("META-INF/signatures0.xml")
    forged = re.sub(rb"<xades:SigningTime>\d{4}", b"<xades:SigningTime>2020", xml)
    container = builders.replace_member(container, "META-INF/signatures0.xml", forged)

    report = validate(container, "iesniegums.edoc")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: paraksta dati mainīti pēc parakstīšanas"


def test_a_signer_from_an_untrusted_ca_is_untrusted(pki):
    report = validate(signed(pki, pki.stranger), "iesniegums.edoc")

    assert report.status == Status.UNTRUSTED
    assert report.words == "Parakstītāja sertifikāts nav uzticams"
    assert report.signatures[0].signer_name == "Ēriks Svešais"


def test_an_empty_trust_store_trusts_nobody(pki, settings, tmp_path):
    settings.SIGNATURE_TRUST_STORE = str(tmp_path)

    report = validate(signed(pki, pki.janis), "iesniegums.edoc")

    assert report.status == Status.UNTRUSTED


def test_an_expired_certificate_is_invalid(pki):
    report = validate(signed(pki, pki.expired), "iesniegums.edoc")

    assert report.status == Status.INVALID
    assert report.words == (
        "Paraksts nav derīgs: parakstītāja sertifikāts nebija derīgs parakstīšanas brīdī"
    )


def test_a_revoked_certificate_with_its_ocsp_answer_embedded_is_invalid(pki):
    answer = ocsp_response(pki.revoked, revoked_at=NOW - timedelta(days=10))

    report = validate(signed(pki, pki.revoked, ocsp=answer), "iesniegums.edoc")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: parakstītāja sertifikāts ir atsaukts"


def test_a_good_ocsp_answer_embedded_is_valid(pki):
    report = validate(signed(pki, pki.anna, ocsp=ocsp_response(pki.anna)), "iesniegums.edoc")

    assert report.status == Status.VALID


def test_no_time_stamp(pki):
    report = validate(signed(pki, pki.janis, tsa=None), "iesniegums.edoc")

    assert report.status == Status.NO_TIMESTAMP
    assert report.words == "Bez laika zīmoga"
    [signature] = report.signatures
    assert signature.timestamped is False
    assert signature.reason == "parakstam nav laika zīmoga"
    assert signature.words == f"Parakstīts — {words_of(signature)}, bez laika zīmoga"


def test_a_time_stamp_from_an_untrusted_tsa_counts_as_none(pki):
    report = validate(signed(pki, pki.janis, tsa="untrusted"), "iesniegums.edoc")

    assert report.status == Status.NO_TIMESTAMP
    assert report.words == "Bez laika zīmoga"
    assert report.signatures[0].reason == "laika zīmoga izdevējs nav uzticams"


def test_a_time_stamp_of_another_signature_is_invalid(pki):
    one, other = signed(pki, pki.janis), signed(pki, pki.anna)
    stamp = re.compile(rb"<xades:EncapsulatedTimeStamp>[^<]+<")
    xml = zipfile.ZipFile(io.BytesIO(one)).read("META-INF/signatures0.xml")
    foreign = stamp.search(zipfile.ZipFile(io.BytesIO(other)).read("META-INF/signatures0.xml"))
    container = builders.replace_member(
        one, "META-INF/signatures0.xml", stamp.sub(foreign.group(0), xml)
    )

    report = validate(container, "iesniegums.edoc")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: laika zīmogs neattiecas uz šo parakstu"


def test_a_file_added_after_signing_is_invalid(pki):
    files = {**FILES, "piebilde.txt": "ieliku vēlāk".encode()}
    signature = builders.xades_signatures(FILES, pki.janis, tsa=pki.tsa)

    report = validate(builders.asice(files, [signature]), "iesniegums.edoc")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: konteinerā ir neparakstīta datne piebilde.txt"


def test_a_container_without_signatures_is_unsigned(pki):
    report = validate(builders.asice(FILES, []), "iesniegums.edoc")

    assert report.status == Status.UNSIGNED
    assert report.words == "Nav parakstīts"
    assert len(report.data_files) == 2


def test_a_plain_zip_renamed_edoc_is_unsigned(pki):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in FILES.items():
            archive.writestr(name, data)

    report = validate(buffer.getvalue(), "iesniegums.edoc")

    assert report.status == Status.UNSIGNED
    assert report.words == "Nav parakstīts"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"compression": zipfile.ZIP_DEFLATED}, "konteineram nav pareiza “mimetype” ieraksta"),
        ({"mimetype": b"application/zip"}, "konteineram nav pareiza “mimetype” ieraksta"),
        ({"with_manifest": False}, "konteineram nav “META-INF/manifest.xml”"),
    ],
)
def test_a_container_of_the_wrong_structure_is_malformed(pki, change, reason):
    signature = builders.xades_signatures(FILES, pki.janis, tsa=pki.tsa)
    compression = change.pop("compression", None)
    container = builders.asice(FILES, [signature], **change)
    if compression is not None:  # the mimetype entry compressed
        container = _recompress_mimetype(container)

    report = validate(container, "iesniegums.edoc")

    assert report.status == Status.MALFORMED
    assert report.words == f"Parakstu nevar pārbaudīt: {reason}"


def _recompress_mimetype(container: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(container))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            archive.writestr(member.filename, source.read(member), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def test_a_signature_file_with_an_entity_declaration_is_malformed(pki):
    container = builders.replace_member(
        signed(pki, pki.janis),
        "META-INF/signatures0.xml",
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
    )

    report = validate(container, "iesniegums.edoc")

    assert report.status == Status.MALFORMED
    assert report.words == "Parakstu nevar pārbaudīt: paraksta datne ir bojāta"


@pytest.mark.parametrize(
    "build",
    [
        lambda: bombs.asice_with(bombs.zeros("nulles.bin", 256 * bombs.MiB)),
        lambda: bombs.asice_with(*[bombs.stored(f"{i}.txt", b"x") for i in range(10_001)]),
        lambda: bombs.just_over_the_entry_limit(),
        lambda: bombs.lying_count(100_000),
        lambda: bombs.overlapping(),
        lambda: bombs.huge_declared_size(),
    ],
    ids=["ratio", "entries", "lying-count", "lying-count-100k", "overlapping", "declared-size"],
)
def test_a_container_bomb_named_edoc_is_refused_unread(pki, build):
    report = validate(build(), "iesniegums.edoc")

    assert report.status == Status.MALFORMED
    assert report.words.startswith("Parakstu nevar pārbaudīt: ")


@pytest.mark.parametrize(
    ("data", "name", "status"),
    [
        (b"\x00\xffgarbage" * 100, "iesniegums.edoc", Status.MALFORMED),
        (b"", "iesniegums.edoc", Status.MALFORMED),
        (b"PK\x03\x04" + b"\x00" * 100, "iesniegums.edoc", Status.MALFORMED),
        (b"%PDF-1.7\n" + b"\x00garbage" * 100, "iesniegums.pdf", Status.MALFORMED),
        (b"just some text", "piezimes.txt", Status.UNSIGNED),
    ],
)
def test_garbage_gives_a_report_not_an_exception(pki, data, name, status):
    report = validate(data, name)

    assert report.status == status


def test_a_truncated_container_is_malformed(pki):
    container = signed(pki, pki.janis)

    report = validate(container[: len(container) // 2], "iesniegums.edoc")

    assert report.status == Status.MALFORMED


def test_every_single_byte_change_gives_a_report(pki):
    """No byte of a signed container, changed, makes validation raise or pass as valid."""
    container = signed(pki, pki.janis, tsa=None)
    step = max(1, len(container) // 60)
    for at in range(0, len(container), step):
        changed = container[:at] + bytes([container[at] ^ 0x20]) + container[at + 1 :]

        report = validate(changed, "iesniegums.edoc")

        assert report.status != Status.VALID, at


def test_a_path_and_a_file_object_are_read_as_bytes_are(pki, tmp_path):
    path = tmp_path / "iesniegums.edoc"
    path.write_bytes(signed(pki, pki.janis))

    assert validate(path).status == Status.VALID
    with path.open("rb") as handle:
        assert validate(handle, "iesniegums.edoc").status == Status.VALID


def test_an_asics_container_with_one_signed_file_is_valid(pki):
    files = {"iesniegums.pdf": FILES["iesniegums.pdf"]}
    signature = builders.xades_signatures(files, pki.janis, tsa=pki.tsa)
    container = builders.asice(
        files, [signature], mimetype=b"application/vnd.etsi.asic-s+zip", with_manifest=False
    )

    report = validate(container, "iesniegums.asics")

    assert report.status == Status.VALID
    assert report.summary()["kind"] == "asics"


def test_every_changed_character_of_the_signature_xml_gives_a_report(pki):
    """Characters of the signature file changed one at a time (the container kept readable):
    always a report, and valid only when the change touched nothing the signature covers."""
    container = signed(pki, pki.janis)
    xml = zipfile.ZipFile(io.BytesIO(container)).read("META-INF/signatures0.xml")
    signed_info = re.search(rb"<ds:SignedInfo>.*</ds:SignedInfo>", xml, re.S).span()
    step = max(1, len(xml) // 80)
    for at in range(0, len(xml), step):
        changed = xml[:at] + bytes([xml[at] ^ 0x01]) + xml[at + 1 :]

        report = validate(
            builders.replace_member(container, "META-INF/signatures0.xml", changed),
            "iesniegums.edoc",
        )

        assert report.status in set(Status), at
        if signed_info[0] <= at < signed_info[1]:
            assert report.status != Status.VALID, at


def test_a_container_is_validated_where_an_event_loop_already_runs(pki):
    """An ASGI server or Playwright's sync API runs a loop in the thread; asyncio.run would refuse
    there, and every signature came out as a failed check (seen in the whole suite after the
    browser tests)."""
    import asyncio  # only this test runs its own loop
    from concurrent.futures import ThreadPoolExecutor  # and only here

    container = signed(pki, pki.janis)

    async def inside_a_loop():
        return validate(container, "iesniegums.edoc")

    # The test's own loop, in a thread of its own: after the browser tests this thread already
    # runs Playwright's.
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(asyncio.run, inside_a_loop()).result()

    assert report.status == Status.VALID
    assert report.signatures[0].signer_name == "Jānis Bērziņš"
