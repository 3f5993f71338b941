"""PAdES signatures in a PDF, validated by pyHanko offline against the trust store.

Each signature's certificate path is checked at the time its RFC 3161 time stamp proves (or,
without one, at the time the signer claims); pyHanko's difference analysis tells an update made
after signing (the content changed) from the permitted ones: later signatures, form filling, and
the DSS / document time stamps that make a signature long-term (LTV).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import BinaryIO

from asn1crypto import cms
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signatures import reasons
from signatures.report import Kind, Report, SignatureResult, Status, signer_names, worst
from signatures.trust import TrustStore

logger = logging.getLogger(__name__)

MAX_SIGNATURES = 50
PERMITTED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
EXPIRED = (
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    AdESIndeterminate.EXPIRED,
    AdESFailure.NOT_YET_VALID,
    AdESIndeterminate.NOT_YET_VALID,
)
REVOKED = (
    AdESFailure.REVOKED,
    AdESIndeterminate.REVOKED_NO_POE,
    AdESIndeterminate.REVOKED_CA_NO_POE,
)


def validate(stream: BinaryIO, trust: TrustStore) -> Report:
    report = Report(status=Status.UNSIGNED, kind=Kind.PDF)
    try:
        reader = PdfFileReader(stream, strict=False)
        embedded = reader.embedded_regular_signatures
    except Exception as error:  # a hostile PDF may break the parser anywhere
        logger.info("PDF not readable: %r", error)
        report.status, report.reason = Status.MALFORMED, str(reasons.PDF_BROKEN)
        report.details.append(f"pdf: {error!r}"[:500])
        return report
    for signature in embedded[:MAX_SIGNATURES]:
        report.signatures.append(_one(signature, trust))
    if report.signatures:
        report.status = worst([s.status for s in report.signatures])
        if report.status == Status.MALFORMED:
            report.reason = next(s.reason for s in report.signatures if s.reason)
    return report


def _one(signature, trust: TrustStore) -> SignatureResult:
    result = SignatureResult(status=Status.MALFORMED)
    try:
        _check(signature, trust, result)
    except (SignatureValidationError, PdfError, ValueError, TypeError, KeyError) as error:
        result.status, result.reason = Status.MALFORMED, str(reasons.PDF_BROKEN)
        result.details.append(f"pdf signature: {error!r}"[:500])
    except Exception as error:  # pyHanko on hostile input: a report, never a 500
        logger.warning("PDF signature validation failed", exc_info=True)
        result.status, result.reason = Status.MALFORMED, str(reasons.PDF_BROKEN)
        result.details.append(f"pdf signature: {error!r}"[:500])
    return result


def _check(signature, trust: TrustStore, result: SignatureResult) -> None:
    signer = signature.signer_cert
    result.signer_name, result.personal_code = signer_names(signer.subject.native)
    result.signer_certificate_sha256 = signer.sha256.hex()
    result.claimed_signing_time = signature.self_reported_timestamp
    moment = _timestamp_time(signature.signer_info) or result.claimed_signing_time
    # pyHanko takes the intermediate certificates from the signature's own SignedData.
    context = trust.context(moment=moment or datetime.now(UTC))
    status = validate_pdf_signature(signature, context, context)
    result.details.append(status.summary())

    if not status.intact:
        result.status, result.reason = Status.INVALID, str(reasons.FILE_CHANGED)
        return
    if not status.valid:
        result.status, result.reason = Status.INVALID, str(reasons.VALUE_WRONG)
        return
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE and (
        status.coverage != SignatureCoverageLevel.ENTIRE_REVISION
        or status.modification_level not in PERMITTED
        or status.docmdp_ok is False
    ):
        result.status, result.reason = Status.INVALID, str(reasons.FILE_CHANGED)
        return
    timestamp = status.timestamp_validity
    if timestamp is not None and not timestamp.intact:
        result.status, result.reason = Status.INVALID, str(reasons.TIMESTAMP_MISMATCH)
        return
    if status.revoked or status.trust_problem_indic in REVOKED:
        result.status, result.reason = Status.INVALID, str(reasons.CERTIFICATE_REVOKED)
        return
    if status.trust_problem_indic in EXPIRED:
        result.status, result.reason = Status.INVALID, str(reasons.CERTIFICATE_EXPIRED)
        return
    result.signing_time = result.claimed_signing_time
    if timestamp is not None and timestamp.valid and timestamp.trusted:
        result.timestamped = True
        result.timestamp_time = result.signing_time = timestamp.timestamp
    if not status.trusted:
        result.status, result.reason = Status.UNTRUSTED, str(reasons.SIGNER_UNTRUSTED)
    elif not result.timestamped:
        result.status = Status.NO_TIMESTAMP
        result.reason = str(reasons.TSA_UNTRUSTED if timestamp else reasons.NO_TIMESTAMP)
    else:
        result.status, result.reason = Status.VALID, ""


def _timestamp_time(signer_info: cms.SignerInfo) -> datetime | None:
    """The signature time stamp's genTime (not yet trusted: only the moment to check at)."""
    for signed_data in extract_tst_data_iter(signer_info, signed=False):
        try:
            return signed_data["encap_content_info"]["content"].parsed["gen_time"].native
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
    return None
