"""Real signed documents for the tests: ASiC-E containers with XAdES-BES/-T/-LT signatures
(a small signer on lxml + C14N + cryptography) and PAdES PDFs (pyHanko's signer)."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from datetime import datetime, timedelta
from urllib.parse import quote

from asn1crypto import ocsp as asn1_ocsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from lxml import etree
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signatures._sync import outside_event_loop
from signatures.xades import ASIC, DS, XADES
from tests.signatures.pki import NOW, Identity

C14N11 = "http://www.w3.org/2006/12/xml-c14n11"
C14N10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
NSMAP = {"asic": ASIC, "ds": DS, "xades": XADES}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _sub(parent, ns: str, tag: str, text: str | None = None, **attributes):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def xades_signatures(
    files: dict[str, bytes],
    signer: Identity,
    *,
    signature_id: str = "S0",
    signing_time: datetime | None = None,
    tsa: Identity | None = None,
    ocsp: bytes | None = None,
) -> bytes:
    """META-INF/signaturesN.xml: one XAdES signature over the files (-T with tsa, -LT with ocsp)."""
    signing_time = signing_time or NOW - timedelta(hours=1)
    root = etree.Element(f"{{{ASIC}}}XAdESSignatures", nsmap=NSMAP)
    signature = _sub(root, DS, "Signature", Id=signature_id)
    signed_info = _sub(signature, DS, "SignedInfo")
    _sub(signed_info, DS, "CanonicalizationMethod", Algorithm=C14N11)
    is_rsa = isinstance(signer.key, rsa.RSAPrivateKey)
    method = "rsa-sha256" if is_rsa else "ecdsa-sha256"
    _sub(
        signed_info,
        DS,
        "SignatureMethod",
        Algorithm=f"http://www.w3.org/2001/04/xmldsig-more#{method}",
    )
    for index, (name, content) in enumerate(files.items()):
        reference = _sub(
            signed_info, DS, "Reference", Id=f"{signature_id}-RefId{index}", URI=quote(name)
        )
        _sub(reference, DS, "DigestMethod", Algorithm=SHA256)
        _sub(reference, DS, "DigestValue", _b64(hashlib.sha256(content).digest()))
    properties_id = f"{signature_id}-SignedProperties"
    properties_reference = _sub(
        signed_info, DS, "Reference", Id=f"{signature_id}-RefId-SP",
        Type="http://uri.etsi.org/01903#SignedProperties", URI="#" + properties_id,
    )  # fmt: skip
    transforms = _sub(properties_reference, DS, "Transforms")
    _sub(transforms, DS, "Transform", Algorithm=C14N10)
    _sub(properties_reference, DS, "DigestMethod", Algorithm=SHA256)
    properties_digest = _sub(properties_reference, DS, "DigestValue")
    signature_value = _sub(signature, DS, "SignatureValue", Id=f"{signature_id}-SIG")
    key_info = _sub(signature, DS, "KeyInfo")
    x509_data = _sub(key_info, DS, "X509Data")
    _sub(x509_data, DS, "X509Certificate", _b64(signer.der))
    for ca in signer.chain:
        _sub(x509_data, DS, "X509Certificate", _b64(ca.der))
    qualifying = _sub(
        _sub(signature, DS, "Object"), XADES, "QualifyingProperties", Target="#" + signature_id
    )
    signed_properties = _sub(qualifying, XADES, "SignedProperties", Id=properties_id)
    signature_properties = _sub(signed_properties, XADES, "SignedSignatureProperties")
    _sub(signature_properties, XADES, "SigningTime", signing_time.strftime("%Y-%m-%dT%H:%M:%SZ"))
    cert = _sub(_sub(signature_properties, XADES, "SigningCertificateV2"), XADES, "Cert")
    cert_digest = _sub(cert, XADES, "CertDigest")
    _sub(cert_digest, DS, "DigestMethod", Algorithm=SHA256)
    _sub(cert_digest, DS, "DigestValue", _b64(hashlib.sha256(signer.der).digest()))

    properties_digest.text = _b64(
        hashlib.sha256(etree.tostring(signed_properties, method="c14n")).digest()
    )
    signed_bytes = etree.tostring(signed_info, method="c14n")
    if is_rsa:
        value = signer.key.sign(signed_bytes, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(signer.key.sign(signed_bytes, ec.ECDSA(hashes.SHA256())))
        size = (signer.key.curve.key_size + 7) // 8
        value = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    signature_value.text = _b64(value)

    if tsa is not None or ocsp is not None:
        unsigned = _sub(
            _sub(qualifying, XADES, "UnsignedProperties"), XADES, "UnsignedSignatureProperties"
        )
        if tsa is not None:
            stamp = _sub(unsigned, XADES, "SignatureTimeStamp", Id=f"{signature_id}-T0")
            _sub(stamp, DS, "CanonicalizationMethod", Algorithm=C14N11)
            covered = etree.tostring(signature_value, method="c14n")
            token = tsa.timestamp_token(
                hashlib.sha256(covered).digest(), signing_time + timedelta(seconds=5)
            )
            _sub(stamp, XADES, "EncapsulatedTimeStamp", _b64(token))
        if ocsp is not None:
            certificates = _sub(unsigned, XADES, "CertificateValues")
            for ca in signer.chain:
                _sub(certificates, XADES, "EncapsulatedX509Certificate", _b64(ca.der))
            values = _sub(_sub(unsigned, XADES, "RevocationValues"), XADES, "OCSPValues")
            _sub(values, XADES, "EncapsulatedOCSPValue", _b64(ocsp))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=False)


def manifest(files: dict[str, bytes]) -> bytes:
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="application/octet-stream"/>'
        for name in files
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.etsi.asic-e+zip"/>'
        f"{entries}</manifest:manifest>"
    ).encode()


def asice(
    files: dict[str, bytes],
    signatures: list[bytes],
    *,
    mimetype: bytes = b"application/vnd.etsi.asic-e+zip",
    with_manifest: bool = True,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An .edoc: mimetype first and stored, the files, META-INF/manifest.xml, signatures."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        for name, content in files.items():
            archive.writestr(name, content, compress_type=compression)
        if with_manifest:
            archive.writestr(
                "META-INF/manifest.xml", manifest(files), compress_type=zipfile.ZIP_DEFLATED
            )
        for index, signature in enumerate(signatures):
            archive.writestr(
                f"META-INF/signatures{index}.xml", signature, compress_type=zipfile.ZIP_DEFLATED
            )
    return buffer.getvalue()


def signed_asice(
    files: dict[str, bytes], *signers_: Identity, tsa: Identity | None, ocsp=None
) -> bytes:
    return asice(
        files,
        [
            xades_signatures(files, signer, signature_id=f"S{index}", tsa=tsa, ocsp=ocsp)
            for index, signer in enumerate(signers_)
        ],
    )


def replace_member(container: bytes, name: str, content: bytes) -> bytes:
    """The same container with one member's bytes replaced (order and methods kept)."""
    source = zipfile.ZipFile(io.BytesIO(container))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            data = content if member.filename == name else source.read(member)
            archive.writestr(member, data, compress_type=member.compress_type)
    return buffer.getvalue()


def plain_pdf(text: str = "Iesniegums") -> bytes:
    """A one-page PDF, written by hand with a correct cross-reference table."""
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def signed_pdf(
    pdf: bytes, signer: Identity, *, tsa: Identity | None, field: str = "Paraksts1"
) -> bytes:
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=signer.asn1_cert,
        signing_key=signer.asn1_key,
        cert_registry=SimpleCertificateStore.from_certs([c.asn1_cert for c in signer.chain]),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = outside_event_loop(
        signers.sign_pdf,
        writer,
        signers.PdfSignatureMetadata(field_name=field),
        signer=pyhanko_signer,
        timestamper=tsa.timestamper() if tsa else None,
    )
    return output.getvalue()


def changed_after_signing(pdf: bytes, text: str = "Cits teksts") -> bytes:
    """An incremental update that replaces the page's content after it was signed."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    content = generic.StreamObject(stream_data=f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode())
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(content)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_dss(pdf: bytes, *, ocsps: list[bytes]) -> bytes:
    """The signed PDF with a document security store appended (an LTV update)."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    contents = reader.embedded_signatures[0].sig_object.raw_get("/Contents")
    out = io.BytesIO(pdf)
    out.seek(0, io.SEEK_END)
    DocumentSecurityStore.add_dss(
        out,
        contents,
        ocsps=[asn1_ocsp.OCSPResponse.load(answer) for answer in ocsps],
        strict=False,
    )
    return out.getvalue()


def pem(identity: Identity) -> bytes:
    return identity.cert.public_bytes(serialization.Encoding.PEM)
