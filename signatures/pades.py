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
from pyhanko.sign.general import (
    MultivaluedAttributeError,
    NonexistentAttributeError,
    find_unique_cms_attribute,
)
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signatures import reasons
from signatures.report import Kind, Report, SignatureResult, Status, signer_names, worst
from signatures.trust import TrustStore, ocsps_about

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
    dss = _dss(reader) if embedded else ([], [], [])
    for signature in embedded[:MAX_SIGNATURES]:
        report.signatures.append(_one(signature, trust, dss))
    if report.signatures:
        report.status = worst([s.status for s in report.signatures])
        if report.status == Status.MALFORMED:
            report.reason = next(s.reason for s in report.signatures if s.reason)
    return report


def _one(signature, trust: TrustStore, dss) -> SignatureResult:
    result = SignatureResult(status=Status.MALFORMED)
    try:
        archived = _archived_revocation(signature.signer_info)
        embedded = (dss[0], dss[1] + archived[0], dss[2] + archived[1])
        _check(signature, trust, result, embedded)
    except (SignatureValidationError, PdfError, ValueError, TypeError, KeyError) as error:
        result.status, result.reason = Status.MALFORMED, str(reasons.PDF_BROKEN)
        result.details.append(f"pdf signature: {error!r}"[:500])
    except Exception as error:  # pyHanko on hostile input: a report, never a 500
        logger.warning("PDF signature validation failed", exc_info=True)
        result.status, result.reason = Status.MALFORMED, str(reasons.PDF_BROKEN)
        result.details.append(f"pdf signature: {error!r}"[:500])
    return result


def _check(signature, trust: TrustStore, result: SignatureResult, embedded) -> None:
    signer = signature.signer_cert
    result.signer_name, result.personal_code = signer_names(signer.subject.native)
    result.signer_certificate_sha256 = signer.sha256.hex()
    result.claimed_signing_time = signature.self_reported_timestamp
    moment = _timestamp_time(signature.signer_info) or result.claimed_signing_time
    moment = moment or datetime.now(UTC)
    # Revocation data embedded: the DSS (PAdES-LTV) and Adobe's signed archival attribute.
    # pyHanko takes the intermediate certificates from the signature's own SignedData.
    certs, ocsps, crls = embedded
    signer_path = [signer, *signature.other_embedded_certs, *certs]
    context = trust.context(
        moment=moment, other_certs=certs, ocsps=ocsps_about(signer_path, ocsps), crls=crls
    )
    tsa_path = [*_timestamp_certs(signature.signer_info), *certs]
    ts_context = trust.context(
        moment=moment, other_certs=certs, ocsps=ocsps_about(tsa_path, ocsps), crls=crls
    )
    status = validate_pdf_signature(signature, context, ts_context)
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


def _timestamp_certs(signer_info: cms.SignerInfo) -> list:
    found = []
    for signed_data in extract_tst_data_iter(signer_info, signed=False):
        for choice in signed_data["certificates"] or ():
            if choice.name == "certificate":
                found.append(choice.chosen)
    return found


def _dss(reader) -> tuple[list, list[bytes], list[bytes]]:
    """Certificates, OCSP answers and CRLs in the document security store, if any."""
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return [], [], []
    except Exception:  # a broken DSS: judged without it
        logger.info("PDF DSS not readable", exc_info=True)
        return [], [], []
    certs, ocsps, crls = [], [], []
    try:
        certs = list(dss.load_certs())
        ocsps = [ref.get_object().data for ref in dss.ocsps]
        crls = [ref.get_object().data for ref in dss.crls]
    except Exception:  # as above
        logger.info("PDF DSS entries not readable", exc_info=True)
    return certs, ocsps, crls


def _archived_revocation(signer_info: cms.SignerInfo) -> tuple[list[bytes], list[bytes]]:
    """OCSP answers and CRLs in the signed adbe-revocationInfoArchival attribute."""
    try:
        archival = find_unique_cms_attribute(
            signer_info["signed_attrs"], "adobe_revocation_info_archival"
        )
    except (NonexistentAttributeError, MultivaluedAttributeError, KeyError, IndexError):
        return [], []
    ocsps = [item.dump() for item in archival["ocsp"] or ()]
    crls = [item.dump() for item in archival["crl"] or ()]
    return ocsps, crls
