"""An EU Trusted List (ETSI TS 119 612) read offline into the trust store folder.

    services = read_trusted_list(Path("LV-TL.xml").read_bytes())
    written, removed = write_to_folder(services, folder, territory="LV")

Only services of the two types a signature check needs are taken — qualified certificate
issuers (`CA/QC`) and qualified time-stamp services (`TSA/QTST`) — and only while their current
status is `granted`; each service digital identity certificate becomes one PEM file
`tl-<territory>-<sha-256, 16 hex>.pem`. Files of an earlier load of the same territory that the
list no longer grants are removed; other files in the folder (the operator's own) are left alone.

The list's own XML signature is not verified here: the operator takes the file from the official
source (the EU List of Trusted Lists names each national list's location and signing certificates)
and loads it with the `load_trusted_list` command. The XML is parsed without DTDs, entities or
network access.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509
from lxml import etree

TSL = "http://uri.etsi.org/02231/v2#"
CA_QC = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
TSA_QTST = "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST"
GRANTED = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
SERVICE_TYPES = frozenset({CA_QC, TSA_QTST})
MAX_LIST_BYTES = 50 * 1024 * 1024
PREFIX = "tl-"

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, collect_ids=False
)


class TrustedListError(Exception):
    """The file is no Trusted List this reader can take."""


@dataclass(frozen=True)
class TrustedService:
    provider: str
    name: str
    service_type: str
    certificate: x509.Certificate

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.certificate.dump()).hexdigest()


def _q(tag: str) -> str:
    return f"{{{TSL}}}{tag}"


def _text(element, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _name(element, tag: str) -> str:
    names = element.findall(f"{_q(tag)}/{_q('Name')}")
    english = [n for n in names if n.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"]
    chosen = (english or names or [None])[0]
    return (chosen.text or "").strip() if chosen is not None else ""


def territory_of(data: bytes) -> str:
    root = _parse(data)
    return _text(root, f"{_q('SchemeInformation')}/{_q('SchemeTerritory')}")


def _parse(data: bytes):
    if len(data) > MAX_LIST_BYTES:
        raise TrustedListError("the file is larger than a Trusted List can be")
    try:
        root = etree.fromstring(data, PARSER)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise TrustedListError(f"not well-formed XML: {error}") from error
    if root.getroottree().docinfo.doctype:
        raise TrustedListError("a DOCTYPE is not allowed in a Trusted List")
    if root.tag != _q("TrustServiceStatusList"):
        raise TrustedListError("not an ETSI TS 119 612 TrustServiceStatusList")
    return root


def read_trusted_list(data: bytes) -> list[TrustedService]:
    """The granted CA/QC and TSA/QTST services' certificates in the list."""
    root = _parse(data)
    services = []
    for provider in root.iter(_q("TrustServiceProvider")):
        information = provider.find(_q("TSPInformation"))
        provider_name = _name(information if information is not None else provider, "TSPName")
        for service in provider.iter(_q("TSPService")):
            info = service.find(_q("ServiceInformation"))
            if info is None:
                continue
            service_type = _text(info, _q("ServiceTypeIdentifier"))
            status = _text(info, _q("ServiceStatus"))
            if service_type not in SERVICE_TYPES or status != GRANTED:
                continue
            for encoded in info.iterfind(
                f"{_q('ServiceDigitalIdentity')}/{_q('DigitalId')}/{_q('X509Certificate')}"
            ):
                try:
                    der = base64.b64decode("".join((encoded.text or "").split()), validate=True)
                    certificate = x509.Certificate.load(der)
                    certificate.native  # noqa: B018 — parse it all now: a bad one fails here
                except (binascii.Error, ValueError, TypeError) as error:
                    raise TrustedListError(
                        f"a certificate of {provider_name!r} cannot be read: {error}"
                    ) from error
                services.append(
                    TrustedService(
                        provider=provider_name,
                        name=_name(info, "ServiceName"),
                        service_type=service_type,
                        certificate=certificate,
                    )
                )
    return services


def write_to_folder(
    services: list[TrustedService], folder: str | Path, *, territory: str
) -> tuple[list[str], list[str]]:
    """Write each service's certificate as a PEM file; remove this territory's earlier files the
    list no longer holds. Returns (file names written or kept, file names removed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    label = "".join(ch for ch in territory.upper() if ch.isalnum())[:8] or "EU"
    prefix = f"{PREFIX}{label}-"
    wanted: dict[str, bytes] = {}
    for service in services:
        name = f"{prefix}{service.sha256[:16]}.pem"
        wanted[name] = pem.armor("CERTIFICATE", service.certificate.dump())
    for name, body in wanted.items():
        target = folder / name
        if target.exists() and target.read_bytes() == body:
            continue
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tl-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(body)
        os.replace(temporary, target)
    removed = []
    for old in sorted(folder.glob(f"{prefix}*.pem")):
        if old.name not in wanted:
            old.unlink()
            removed.append(old.name)
    return sorted(wanted), removed
