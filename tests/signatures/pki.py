"""A test PKI built with the cryptography package: CAs, signers, a TSA, OCSP answers.

    root ─ intermediate ─┬ Jānis Bērziņš (RSA), Anna Kalniņa (EC), expired, revoked
                         └ TSA (timeStamping)
    other root ─┬ Ēriks Svešais (a signer nobody trusts)
                └ an untrusted TSA

Only the root goes into the trust store folder; the intermediate travels in each signature,
as eParaksts' does. `PKI.build(folder)` writes the trust store and returns everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signatures._sync import run_sync

NOW = datetime.now(UTC).replace(microsecond=0)


@dataclass
class Identity:
    name: str
    key: object  # a cryptography private key
    cert: x509.Certificate
    issuer: Identity | None = None

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def asn1_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.der)

    @property
    def asn1_key(self) -> asn1_keys.PrivateKeyInfo:
        return asn1_keys.PrivateKeyInfo.load(
            self.key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    @property
    def chain(self) -> list[Identity]:
        """The intermediate CAs above this identity (not the root)."""
        found, issuer = [], self.issuer
        while issuer is not None and issuer.issuer is not None:
            found.append(issuer)
            issuer = issuer.issuer
        return found

    def timestamper(self, at: datetime | None = None) -> DummyTimeStamper:
        return DummyTimeStamper(
            tsa_cert=self.asn1_cert,
            tsa_key=self.asn1_key,
            certs_to_embed=SimpleCertificateStore.from_certs([c.asn1_cert for c in self.chain]),
            fixed_dt=at,
        )

    def timestamp_token(self, digest: bytes, at: datetime | None = None) -> bytes:
        """An RFC 3161 time-stamp token (a CMS ContentInfo, DER) over a SHA-256 digest."""
        token = run_sync(self.timestamper(at).async_timestamp(digest, "sha256"))
        return token.dump()


def _key(kind: str):
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return ec.generate_private_key(ec.SECP256R1())


def _issue(
    subject: x509.Name,
    key,
    issuer: Identity | None,
    *,
    ca: bool = False,
    not_before: datetime = NOW - timedelta(days=365),
    not_after: datetime = NOW + timedelta(days=365),
    tsa: bool = False,
    name: str = "",
) -> Identity:
    signing_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    builder = builder.add_extension(
        x509.KeyUsage(
            digital_signature=not ca,
            content_commitment=not ca and not tsa,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            key_cert_sign=ca,
            crl_sign=ca,
            encipher_only=False,
            decipher_only=False,
        ),
        critical=True,
    )
    if issuer and not ca:
        # Where the issuer answers OCSP (never asked: the answers travel in the signatures).
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier("http://ocsp.test.invalid/"),
                    )
                ]
            ),
            critical=False,
        )
    if tsa:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
        )
    cert = builder.sign(signing_key, hashes.SHA256())
    return Identity(name=name, key=key, cert=cert, issuer=issuer)


def ca_name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Testa PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def person_name(given: str, surname: str, code: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{given} {surname}".upper()),
            x509.NameAttribute(NameOID.GIVEN_NAME, given),
            x509.NameAttribute(NameOID.SURNAME, surname),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"PNOLV-{code}"),
        ]
    )


def ocsp_response(subject: Identity, *, revoked_at: datetime | None = None) -> bytes:
    """The issuer's own OCSP answer about subject: good, or revoked since revoked_at."""
    issuer = subject.issuer
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=subject.cert,
        issuer=issuer.cert,
        algorithm=hashes.SHA256(),
        cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
        this_update=NOW - timedelta(minutes=30),
        next_update=NOW + timedelta(days=7),
        revocation_time=revoked_at,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.cert)
    response = builder.sign(issuer.key, hashes.SHA256())
    return response.public_bytes(serialization.Encoding.DER)


@dataclass
class PKI:
    root: Identity
    intermediate: Identity
    janis: Identity
    anna: Identity
    expired: Identity
    revoked: Identity
    tsa: Identity
    other_root: Identity
    stranger: Identity
    untrusted_tsa: Identity
    trust_store: Path

    @classmethod
    def build(cls, folder: Path) -> PKI:
        root = _issue(ca_name("Testa saknes CA"), _key("ec"), None, ca=True, name="root")
        intermediate = _issue(ca_name("Testa izdevējs CA"), _key("ec"), root, ca=True)
        janis = _issue(person_name("Jānis", "Bērziņš", "010203-12345"), _key("rsa"), intermediate)
        anna = _issue(person_name("Anna", "Kalniņa", "111111-22222"), _key("ec"), intermediate)
        expired = _issue(
            person_name("Pēteris", "Vecais", "020202-33333"),
            _key("ec"),
            intermediate,
            not_before=NOW - timedelta(days=800),
            not_after=NOW - timedelta(days=400),
        )
        revoked = _issue(person_name("Rūta", "Atsauktā", "030303-44444"), _key("ec"), intermediate)
        tsa = _issue(ca_name("Testa laika zīmogu dienests"), _key("rsa"), intermediate, tsa=True)
        other_root = _issue(ca_name("Sveša CA"), _key("ec"), None, ca=True)
        stranger = _issue(person_name("Ēriks", "Svešais", "040404-55555"), _key("ec"), other_root)
        untrusted_tsa = _issue(
            ca_name("Svešs laika zīmogu dienests"), _key("rsa"), other_root, tsa=True
        )
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root.pem").write_bytes(root.cert.public_bytes(serialization.Encoding.PEM))
        (folder / "README").write_text("not a certificate: ignored")
        return cls(
            root, intermediate, janis, anna, expired, revoked, tsa, other_root, stranger,
            untrusted_tsa, folder,
        )  # fmt: skip
