"""The trust store: a folder of PEM or DER certificates (setting SIGNATURE_TRUST_STORE).

Every certificate in it is a trust anchor for signers and time-stamp authorities alike (an EU
Trusted List gives the CA and TSA certificates of qualified services, which is what goes here).
Nothing is fetched over the network: the validation contexts built here never fetch.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from asn1crypto import ocsp, pem, x509
from django.conf import settings
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

CERT_SUFFIXES = frozenset({".pem", ".crt", ".cer", ".der"})
MAX_CERT_FILE_BYTES = 1024 * 1024


class TrustStore:
    def __init__(self, certificates: list[x509.Certificate]):
        self.certificates = list(certificates)

    @classmethod
    def from_folder(cls, folder: str | Path | None) -> TrustStore:
        """Reads again only when the folder's listing (names, sizes, times) changed."""
        if not folder:
            return cls([])
        path = Path(folder)
        try:
            stamp = tuple(
                sorted(
                    (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
                    for entry in path.iterdir()
                    if entry.suffix.lower() in CERT_SUFFIXES and entry.is_file()
                )
            )
        except OSError:
            logger.warning("The signature trust store %s cannot be read", path)
            return cls([])
        return cls(list(_read_folder(str(path), stamp)))

    def context(
        self,
        *,
        moment: datetime | None,
        other_certs: list[x509.Certificate] = (),
        ocsps: list[bytes] = (),
        crls: list[bytes] = (),
    ) -> ValidationContext:
        return ValidationContext(
            trust_roots=list(self.certificates),
            other_certs=list(other_certs),
            ocsps=list(ocsps),
            crls=list(crls),
            moment=moment,
            allow_fetching=False,
            # Revocation information is checked where it is embedded; a revoked certificate
            # fails. With none embedded the signature is judged on its chain alone (offline).
            revocation_mode="soft-fail",
            # An OCSP answer fetched a little after the time stamp (as XAdES-LT does) counts.
            retroactive_revinfo=True,
        )


def default_store() -> TrustStore:
    return TrustStore.from_folder(getattr(settings, "SIGNATURE_TRUST_STORE", ""))


@lru_cache(maxsize=4)
def _read_folder(folder: str, stamp: tuple) -> tuple[x509.Certificate, ...]:
    certificates = []
    for name, _size, _mtime in stamp:
        path = Path(folder) / name
        try:
            data = path.read_bytes()[: MAX_CERT_FILE_BYTES + 1]
            if len(data) > MAX_CERT_FILE_BYTES:
                raise ValueError("too large")
            certificates.extend(parse_certificates(data))
        except (OSError, ValueError, TypeError) as error:
            logger.warning("Trust store file %s skipped: %s", path, error)
    return tuple(certificates)


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """One DER certificate, or any number of PEM ones."""
    if pem.detect(data):
        found = [
            x509.Certificate.load(der)
            for kind, _headers, der in pem.unarmor(data, multiple=True)
            if kind == "CERTIFICATE"
        ]
    else:
        found = [x509.Certificate.load(data)]
    for certificate in found:
        certificate.native  # noqa: B018 — parses it all now: a bad file fails here, not later
    return found


def ocsps_about(certificates: list[x509.Certificate], ocsps: list[bytes]) -> list[bytes]:
    """The OCSP answers about these certificates (by serial number): certvalidator takes an
    answer about another certificate of the same issuer for a failed check, so each path (the
    signer's, the TSA's) gets only its own."""
    serials = {c.serial_number for c in certificates}
    relevant = []
    for der in ocsps:
        try:
            data = ocsp.OCSPResponse.load(der)["response_bytes"]["response"].parsed
            answered = {
                single["cert_id"]["serial_number"].native
                for single in data["tbs_response_data"]["responses"]
            }
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # an unreadable answer proves nothing either way
        if answered & serials:
            relevant.append(der)
    return relevant
