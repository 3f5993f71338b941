"""PAdES: PDFs signed with pyHanko's signer and the test PKI."""

from __future__ import annotations

import re
from datetime import timedelta

from signatures import Status, validate
from tests.signatures import builders
from tests.signatures.pki import NOW, ocsp_response


def test_a_signed_pdf_with_a_time_stamp_is_valid(pki):
    pdf = builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=pki.tsa)

    report = validate(pdf, "iesniegums.pdf")

    assert report.status == Status.VALID
    assert re.fullmatch(
        r"Parakstīts — Jānis Bērziņš, \d\d\.\d\d\.\d{4} \d\d:\d\d, ar laika zīmogu", report.words
    )
    assert report.signatures[0].personal_code == "PNOLV-010203-12345"


def test_two_signatures_in_one_pdf_are_both_valid(pki):
    once = builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=pki.tsa)
    twice = builders.signed_pdf(once, pki.anna, tsa=pki.tsa, field="Paraksts2")

    report = validate(twice, "iesniegums.pdf")

    assert [s.status for s in report.signatures] == [Status.VALID, Status.VALID]
    assert [s.signer_name for s in report.signatures] == ["Jānis Bērziņš", "Anna Kalniņa"]


def test_a_pdf_changed_by_an_incremental_update_after_signing_is_invalid(pki):
    pdf = builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=pki.tsa)

    report = validate(builders.changed_after_signing(pdf), "iesniegums.pdf")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: datne mainīta pēc parakstīšanas"


def test_a_byte_changed_inside_the_signed_range_is_invalid(pki):
    pdf = builders.signed_pdf(builders.plain_pdf("Iesniegums"), pki.janis, tsa=pki.tsa)

    report = validate(pdf.replace(b"(Iesniegums)", b"(Iesniegumz)"), "iesniegums.pdf")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: datne mainīta pēc parakstīšanas"


def test_a_pdf_signed_by_an_untrusted_signer_is_untrusted(pki):
    pdf = builders.signed_pdf(builders.plain_pdf(), pki.stranger, tsa=pki.tsa)

    report = validate(pdf, "iesniegums.pdf")

    assert report.status == Status.UNTRUSTED
    assert report.words == "Parakstītāja sertifikāts nav uzticams"


def test_a_signed_pdf_without_a_time_stamp(pki):
    pdf = builders.signed_pdf(builders.plain_pdf(), pki.janis, tsa=None)

    report = validate(pdf, "iesniegums.pdf")

    assert report.status == Status.NO_TIMESTAMP
    assert report.words == "Bez laika zīmoga"


def test_an_unsigned_pdf_is_unsigned(pki):
    report = validate(builders.plain_pdf(), "iesniegums.pdf")

    assert report.status == Status.UNSIGNED
    assert report.words == "Nav parakstīts"
    assert report.summary()["kind"] == "pdf"


def test_a_pdf_signed_by_a_revoked_certificate_with_the_ocsp_answer_in_its_dss_is_invalid(pki):
    pdf = builders.signed_pdf(builders.plain_pdf(), pki.revoked, tsa=pki.tsa)
    answer = ocsp_response(pki.revoked, revoked_at=NOW - timedelta(days=10))

    report = validate(builders.with_dss(pdf, ocsps=[answer]), "iesniegums.pdf")

    assert report.status == Status.INVALID
    assert report.words == "Paraksts nav derīgs: parakstītāja sertifikāts ir atsaukts"


def test_a_dss_added_after_signing_is_a_permitted_update(pki):
    pdf = builders.signed_pdf(builders.plain_pdf(), pki.anna, tsa=pki.tsa)

    report = validate(builders.with_dss(pdf, ocsps=[ocsp_response(pki.anna)]), "iesniegums.pdf")

    assert report.status == Status.VALID


def test_a_pdf_signed_by_an_expired_certificate_is_invalid(pki):
    pdf = builders.signed_pdf(builders.plain_pdf(), pki.expired, tsa=pki.tsa)

    report = validate(pdf, "iesniegums.pdf")

    assert report.status == Status.INVALID
    assert report.words == (
        "Paraksts nav derīgs: parakstītāja sertifikāts nebija derīgs parakstīšanas brīdī"
    )
