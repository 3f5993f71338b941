"""XAdES signatures (ETSI EN 319 132) as ASiC containers carry them, verified offline.

Our own verifier on lxml and cryptography rather than signxml's XMLVerifier: the data objects of
an ASiC signature are files in the container (detached references by relative URI), and the
XAdES parts that matter here — SigningCertificate, SigningTime, SignatureTimeStamp,
RevocationValues — are read from the very elements the signature covers (no signature wrapping).
Certificate paths, revocation and RFC 3161 tokens go to pyhanko-certvalidator and pyHanko.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote

from asn1crypto import cms, x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509 import load_der_x509_certificate
from lxml import etree
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)

from signatures import reasons
from signatures._sync import run_sync
from signatures.report import SignatureResult, Status, signer_names
from signatures.trust import TrustStore, ocsps_about

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
ASIC = "http://uri.etsi.org/02918/v1.2.1#"
NS = {"ds": DS, "xades": XADES, "asic": ASIC}
SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
MAX_XML_BYTES = 5 * 1024 * 1024  # one signatures*.xml: certificates, OCSP answers, time stamps
MAX_REFERENCES = 1000

# Canonicalisation URI -> (exclusive, with comments). C14N 1.1 differs from 1.0 only in how
# xml:id / xml:base are inherited into a subset, which a SignedInfo never carries.
C14N = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    "http://www.w3.org/2006/12/xml-c14n11": (False, False),
    "http://www.w3.org/2006/12/xml-c14n11#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}
DEFAULT_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
# SHA-1 is refused: a collision-prone digest proves nothing about what was signed.
DIGESTS: dict[str, str] = {
    "http://www.w3.org/2001/04/xmldsig-more#sha224": "sha224",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-256": "sha3_256",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-384": "sha3_384",
    "http://www.w3.org/2007/05/xmldsig-more#sha3-512": "sha3_512",
}
_MORE = "http://www.w3.org/2001/04/xmldsig-more#"
_MGF1 = "http://www.w3.org/2007/05/xmldsig-more#"
SIGNATURE_METHODS: dict[str, tuple[str, type[hashes.HashAlgorithm]]] = {
    _MORE + "rsa-sha224": ("rsa", hashes.SHA224),
    _MORE + "rsa-sha256": ("rsa", hashes.SHA256),
    _MORE + "rsa-sha384": ("rsa", hashes.SHA384),
    _MORE + "rsa-sha512": ("rsa", hashes.SHA512),
    _MGF1 + "sha256-rsa-MGF1": ("pss", hashes.SHA256),
    _MGF1 + "sha384-rsa-MGF1": ("pss", hashes.SHA384),
    _MGF1 + "sha512-rsa-MGF1": ("pss", hashes.SHA512),
    _MORE + "ecdsa-sha224": ("ecdsa", hashes.SHA224),
    _MORE + "ecdsa-sha256": ("ecdsa", hashes.SHA256),
    _MORE + "ecdsa-sha384": ("ecdsa", hashes.SHA384),
    _MORE + "ecdsa-sha512": ("ecdsa", hashes.SHA512),
}

PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, collect_ids=False
)


class Broken(Exception):
    """The signature cannot be read: its result is malformed, with this reason."""


class Failed(Exception):
    """The signature is read and does not hold: invalid, with this reason."""


@dataclass
class Reference:
    uri: str
    algorithm: str  # hashlib name
    digest: bytes
    transforms: list[str]
    type: str


def parse_signature_file(data: bytes) -> list[etree._Element]:
    """The ds:Signature elements of one META-INF/*signatures*.xml; raises Broken."""
    if len(data) > MAX_XML_BYTES:
        raise Broken(reasons.XML_TOO_LARGE)
    try:
        root = etree.fromstring(data, PARSER)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise Broken(reasons.XML_BROKEN) from error
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise Broken(reasons.XML_BROKEN)  # no DTDs, no entities
    signatures = [root] if root.tag == f"{{{DS}}}Signature" else root.findall("ds:Signature", NS)
    if not signatures:
        raise Broken(reasons.XML_NO_SIGNATURE)
    ids: dict[str, etree._Element] = {}
    for element in root.iter(etree.Element):
        for attribute in ("Id", "ID", "id"):
            value = element.get(attribute)
            if value is not None:
                if value in ids:
                    raise Broken(reasons.XML_DUPLICATE_ID)  # a wrapping attack's usual shape
                ids[value] = element
    return signatures


def verify(
    signature: etree._Element,
    data_digest: Callable[[str, str], bytes | None],
    trust: TrustStore,
) -> SignatureResult:
    """Verify one ds:Signature; data_digest(name, algorithm) digests a container file (None if
    there is no such file). Never raises for what the signature holds."""
    result = SignatureResult(status=Status.MALFORMED)
    try:
        _verify(signature, data_digest, trust, result)
    except Broken as error:
        result.status, result.reason = Status.MALFORMED, str(error.args[0])
    except Failed as error:
        result.status, result.reason = Status.INVALID, str(error.args[0])
    return result


def _verify(signature, data_digest, trust: TrustStore, result: SignatureResult) -> None:
    signed_info = _one(signature, "ds:SignedInfo")
    c14n_method = _algorithm(_one(signed_info, "ds:CanonicalizationMethod"))
    method = _algorithm(_one(signed_info, "ds:SignatureMethod"))
    if c14n_method not in C14N:
        raise Broken(reasons.UNSUPPORTED_ALGORITHM)
    if method not in SIGNATURE_METHODS:
        raise Broken(reasons.UNSUPPORTED_ALGORITHM)
    signature_value = _one(signature, "ds:SignatureValue")
    value = _base64(signature_value.text)

    # Which certificate signed: the one whose digest the signed SigningCertificate names.
    references = [_reference(element) for element in signed_info.findall("ds:Reference", NS)]
    if not references or len(references) > MAX_REFERENCES:
        raise Broken(reasons.XML_BROKEN)
    signed_properties = _signed_properties(signature, references)
    certificates = _certificates(signature)
    signer = _signer_certificate(signed_properties, certificates)
    result.signer_name, result.personal_code = signer_names(signer.subject.native)
    result.signer_certificate_sha256 = signer.sha256.hex()
    result.claimed_signing_time = _signing_time(signed_properties)
    result.signing_time = result.claimed_signing_time

    # 1. every reference's digest: the data files, then the signed properties
    for reference in references:
        if reference.uri.startswith("#"):
            target = _by_id(signature, reference.uri[1:])
            actual = hashlib.new(reference.algorithm, _transformed(target, reference)).digest()
            if actual != reference.digest:
                raise Failed(reasons.PROPERTIES_CHANGED)
        else:
            if reference.transforms:
                raise Broken(reasons.UNSUPPORTED_ALGORITHM)
            name = unquote(reference.uri)
            actual = data_digest(name, reference.algorithm)
            if actual is None:
                raise Failed(reasons.FILE_MISSING % {"name": name})
            if actual != reference.digest:
                raise Failed(reasons.FILE_CHANGED)
            result.covers.append(name)

    # 2. the signature value over the canonical SignedInfo
    exclusive, comments = C14N[c14n_method]
    signed_bytes = _c14n(signed_info, exclusive, comments, _prefixes(signed_info))
    _check_value(signer, method, value, signed_bytes)

    # 3. the time stamp over the canonical ds:SignatureValue
    unsigned = signature.find(
        "ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
        "xades:UnsignedSignatureProperties",
        NS,
    )
    other_certs = [c for c in certificates if c.sha256 != signer.sha256]
    ocsps, crls = _revocation_values(unsigned)
    timestamp = _timestamp(unsigned, signature_value, trust, other_certs, ocsps, crls)
    untrusted_tsa = False
    if timestamp is not None:
        if not timestamp.intact or not timestamp.valid:
            raise Failed(reasons.TIMESTAMP_MISMATCH)
        if timestamp.trusted:
            result.timestamped = True
            result.timestamp_time = result.signing_time = timestamp.timestamp
        else:
            untrusted_tsa = True
            result.details.append("time stamp: TSA not trusted")

    # 4. the signer's certificate path, valid at the time of signing, not revoked
    moment = result.signing_time or datetime.now(UTC)
    context = trust.context(
        moment=moment,
        other_certs=other_certs,
        ocsps=ocsps_about([signer, *other_certs], ocsps),
        crls=crls,
    )
    status = _check_path(signer, other_certs, context, result)
    if status == Status.UNTRUSTED:
        result.status, result.reason = Status.UNTRUSTED, str(reasons.SIGNER_UNTRUSTED)
    elif not result.timestamped:
        result.status = Status.NO_TIMESTAMP
        result.reason = str(reasons.TSA_UNTRUSTED if untrusted_tsa else reasons.NO_TIMESTAMP)
    else:
        result.status, result.reason = Status.VALID, ""


def _one(parent, path: str):
    found = parent.findall(path, NS)
    if len(found) != 1:
        raise Broken(reasons.XML_BROKEN)
    return found[0]


def _algorithm(element) -> str:
    return element.get("Algorithm") or ""


def _base64(text: str | None) -> bytes:
    try:
        return base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise Broken(reasons.XML_BROKEN) from error


def _reference(element) -> Reference:
    uri = element.get("URI")
    if not uri:
        raise Broken(reasons.UNSUPPORTED_ALGORITHM)  # a whole-document reference: not ASiC
    algorithm = DIGESTS.get(_algorithm(_one(element, "ds:DigestMethod")))
    if algorithm is None:
        raise Broken(reasons.UNSUPPORTED_ALGORITHM)
    transforms = [_algorithm(t) for t in element.findall("ds:Transforms/ds:Transform", NS)]
    return Reference(
        uri=uri,
        algorithm=algorithm,
        digest=_base64(_one(element, "ds:DigestValue").text),
        transforms=transforms,
        type=element.get("Type") or "",
    )


def _by_id(signature, identifier: str):
    found = [
        element
        for element in signature.iter(etree.Element)
        if identifier in (element.get("Id"), element.get("ID"), element.get("id"))
    ]
    if len(found) != 1:
        raise Broken(reasons.XML_BROKEN)
    return found[0]


def _signed_properties(signature, references: list[Reference]):
    """The xades:SignedProperties of this signature, and it must be one the signature covers."""
    properties = signature.findall(
        "ds:Object/xades:QualifyingProperties/xades:SignedProperties", NS
    )
    if len(properties) != 1:
        raise Broken(reasons.NOT_XADES)
    identifier = properties[0].get("Id")
    if not identifier or not any(r.uri == "#" + identifier for r in references):
        raise Failed(reasons.PROPERTIES_UNSIGNED)
    return properties[0]


def _transformed(target, reference: Reference) -> bytes:
    """Octets of a same-document reference: its transforms are canonicalisations at most."""
    method = DEFAULT_C14N
    for transform in reference.transforms:
        if transform in C14N:
            method = transform
        elif transform != ENVELOPED or target.tag != f"{{{DS}}}Signature":
            raise Broken(reasons.UNSUPPORTED_ALGORITHM)
    exclusive, comments = C14N[method]
    return _c14n(target, exclusive, comments, None)


def _c14n(element, exclusive: bool, comments: bool, prefixes: list[str] | None) -> bytes:
    return etree.tostring(
        element,
        method="c14n",
        exclusive=exclusive,
        with_comments=comments,
        inclusive_ns_prefixes=prefixes if exclusive else None,
    )


def _prefixes(signed_info) -> list[str] | None:
    inclusive = signed_info.find(
        "ds:CanonicalizationMethod/ec:InclusiveNamespaces",
        {"ds": DS, "ec": "http://www.w3.org/2001/10/xml-exc-c14n#"},
    )
    if inclusive is None:
        return None
    return (inclusive.get("PrefixList") or "").split()


def _certificates(signature) -> list[x509.Certificate]:
    texts = [e.text for e in signature.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)]
    texts += [
        e.text
        for e in signature.findall(
            "ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
            "xades:UnsignedSignatureProperties/xades:CertificateValues/"
            "xades:EncapsulatedX509Certificate",
            NS,
        )
    ]
    certificates = []
    for text in texts[:50]:
        try:
            certificate = x509.Certificate.load(_base64(text))
            certificate.native  # noqa: B018 — parse it all here, where a failure is caught
        except (ValueError, TypeError) as error:
            raise Broken(reasons.XML_BROKEN) from error
        certificates.append(certificate)
    if not certificates:
        raise Broken(reasons.NO_CERTIFICATE)
    return certificates


def _signer_certificate(signed_properties, certificates: list[x509.Certificate]):
    cert_digests = signed_properties.findall(
        "xades:SignedSignatureProperties/xades:SigningCertificateV2/xades:Cert/xades:CertDigest",
        NS,
    ) or signed_properties.findall(
        "xades:SignedSignatureProperties/xades:SigningCertificate/xades:Cert/xades:CertDigest",
        NS,
    )
    if not cert_digests:
        raise Failed(reasons.NO_SIGNING_CERTIFICATE)
    for cert_digest in cert_digests:
        algorithm = DIGESTS.get(_algorithm(_one(cert_digest, "ds:DigestMethod")))
        if algorithm is None:
            continue
        expected = _base64(_one(cert_digest, "ds:DigestValue").text)
        for certificate in certificates:
            if hashlib.new(algorithm, certificate.dump()).digest() == expected:
                return certificate
    raise Failed(reasons.NO_SIGNING_CERTIFICATE)


def _signing_time(signed_properties) -> datetime | None:
    element = signed_properties.find("xades:SignedSignatureProperties/xades:SigningTime", NS)
    if element is None or not element.text:
        return None
    try:
        moment = datetime.fromisoformat(element.text.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise Broken(reasons.XML_BROKEN) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_value(signer: x509.Certificate, method: str, value: bytes, data: bytes) -> None:
    kind, algorithm = SIGNATURE_METHODS[method]
    try:
        key = load_der_x509_certificate(signer.dump()).public_key()
    except ValueError as error:
        raise Broken(reasons.NO_CERTIFICATE) from error
    try:
        if kind in ("rsa", "pss") and isinstance(key, rsa.RSAPublicKey):
            scheme = (
                padding.PKCS1v15()
                if kind == "rsa"
                else padding.PSS(padding.MGF1(algorithm()), algorithm.digest_size)
            )
            key.verify(value, data, scheme, algorithm())
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(value) // 2
            if not value or len(value) % 2:
                raise Failed(reasons.VALUE_WRONG)
            r, s = int.from_bytes(value[:half], "big"), int.from_bytes(value[half:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(algorithm()))
        else:
            raise Failed(reasons.VALUE_WRONG)
    except InvalidSignature as error:
        raise Failed(reasons.VALUE_WRONG) from error


def _revocation_values(unsigned) -> tuple[list[bytes], list[bytes]]:
    if unsigned is None:
        return [], []
    ocsps = [
        _base64(e.text)
        for e in unsigned.findall(
            "xades:RevocationValues/xades:OCSPValues/xades:EncapsulatedOCSPValue", NS
        )[:50]
    ]
    crls = [
        _base64(e.text)
        for e in unsigned.findall(
            "xades:RevocationValues/xades:CRLValues/xades:EncapsulatedCRLValue", NS
        )[:50]
    ]
    return ocsps, crls


def _timestamp(unsigned, signature_value, trust: TrustStore, other_certs, ocsps, crls):
    """The first SignatureTimeStamp's status, or None when there is none."""
    if unsigned is None:
        return None
    stamp = unsigned.find("xades:SignatureTimeStamp", NS)
    if stamp is None:
        return None
    method_element = stamp.find("ds:CanonicalizationMethod", NS)
    method = _algorithm(method_element) if method_element is not None else DEFAULT_C14N
    if method not in C14N:
        raise Broken(reasons.UNSUPPORTED_ALGORITHM)
    exclusive, comments = C14N[method]
    covered = _c14n(signature_value, exclusive, comments, None)
    token = _base64(_one(stamp, "xades:EncapsulatedTimeStamp").text)
    try:
        content = cms.ContentInfo.load(token)
        if content["content_type"].native != "signed_data":
            raise Broken(reasons.TIMESTAMP_BROKEN)
        signed_data = content["content"]
        signed_data.native  # noqa: B018 — parse it all here
    except (ValueError, TypeError) as error:
        raise Broken(reasons.TIMESTAMP_BROKEN) from error

    def imprint(algorithm: str) -> bytes:
        return hashlib.new(algorithm.replace("-", "_"), covered).digest()

    # The token's own time, then its TSA's path at that time.
    try:
        gen_time = signed_data["encap_content_info"]["content"].parsed["gen_time"].native
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise Broken(reasons.TIMESTAMP_BROKEN) from error
    path_certs = list(other_certs)
    for choice in signed_data["certificates"] or ():
        if choice.name == "certificate":
            path_certs.append(choice.chosen)
    context = trust.context(
        moment=gen_time, other_certs=other_certs, ocsps=ocsps_about(path_certs, ocsps), crls=crls
    )
    try:
        kwargs = run_sync(validate_tst_signed_data(signed_data, context, imprint))
    except (SignatureValidationError, ValueError, TypeError) as error:
        raise Broken(reasons.TIMESTAMP_BROKEN) from error
    return TimestampSignatureStatus(**kwargs)


def _check_path(signer, other_certs, context, result: SignatureResult) -> Status:
    usage = signer.key_usage_value
    if usage is not None and not ({"digital_signature", "non_repudiation"} & set(usage.native)):
        raise Failed(reasons.CERTIFICATE_INVALID)
    validator = CertificateValidator(
        signer, intermediate_certs=other_certs, validation_context=context
    )
    try:
        run_sync(validator.async_validate_usage(set()))
    except RevokedError as error:
        raise Failed(reasons.CERTIFICATE_REVOKED) from error
    except (ExpiredError, NotYetValidError) as error:
        raise Failed(reasons.CERTIFICATE_EXPIRED) from error
    except (PathBuildingError, InsufficientRevinfoError) as error:
        result.details.append(f"certificate path: {error}")
        return Status.UNTRUSTED
    except (PathValidationError, ValidationError) as error:
        result.details.append(f"certificate path: {error}")
        raise Failed(reasons.CERTIFICATE_INVALID) from error
    return Status.VALID
