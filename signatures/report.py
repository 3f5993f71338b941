"""What a validation found: `Report`, one `SignatureResult` per signature, the client's words.

The statuses, worst first: malformed (the file cannot be read as what it claims to be), invalid
(a signature fails: altered data, a wrong value, a revoked or expired certificate), untrusted
(intact, but the signer's chain does not reach the trust store), no_timestamp (intact and trusted,
but no trusted RFC 3161 time stamp proves when), valid; and unsigned (no signature at all).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _


class Status(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    UNTRUSTED = "untrusted"
    NO_TIMESTAMP = "no_timestamp"
    UNSIGNED = "unsigned"
    MALFORMED = "malformed"


# Worst first: a report is as bad as its worst signature.
SEVERITY = (Status.MALFORMED, Status.INVALID, Status.UNTRUSTED, Status.NO_TIMESTAMP, Status.VALID)


class Kind(enum.StrEnum):
    ASICE = "asice"
    ASICS = "asics"
    PDF = "pdf"
    OTHER = "other"


def worst(statuses: list[Status]) -> Status:
    return min(statuses, key=SEVERITY.index) if statuses else Status.UNSIGNED


def signer_names(subject: dict) -> tuple[str, str]:
    """(name to show, personal code) from a certificate subject (asn1crypto's native dict).

    The name is the given name and surname, else the common name without the personal code
    (Estonian certificates write "SURNAME,GIVEN,CODE" there)."""

    def first(value) -> str:
        return str((value[0] if isinstance(value, list) else value) or "")

    code = first(subject.get("serial_number"))
    name = f"{first(subject.get('given_name'))} {first(subject.get('surname'))}".strip()
    if not name:
        name = first(subject.get("common_name"))
        # ETSI EN 319 412-1 semantics: "PNOLV-010203-12345", the code itself after the prefix
        bare = code.split("-", 1)[1] if len(code) > 6 and code[5:6] == "-" else code
        for secret in {code, bare} - {""}:
            name = name.replace(secret, "")
        name = ", ".join(part.strip() for part in name.split(",") if part.strip())
    return name, code


def local_text(moment: datetime | None) -> str:
    """05.03.2026 14:02 in the portal's time zone."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%d.%m.%Y %H:%M")


@dataclass
class SignatureResult:
    status: Status
    reason: str = ""  # Latvian, lower case, completes "Paraksts nav derīgs: …"; empty when valid
    signer_name: str = ""
    # The certificate subject's serialNumber (a personal code, PNOLV-…): private, shown to none
    # but that person and VZD; summary() leaves it out unless asked.
    personal_code: str = field(default="", repr=False)
    signing_time: datetime | None = None  # the time stamp's time when trusted, else the claimed
    claimed_signing_time: datetime | None = None  # xades:SigningTime / the PDF's /M
    timestamped: bool = False  # a trusted RFC 3161 time stamp covers the signature
    timestamp_time: datetime | None = None
    signer_certificate_sha256: str = ""
    covers: list[str] = field(default_factory=list)  # the data files this signature covers
    details: list[str] = field(default_factory=list)  # library messages for staff

    @property
    def words(self) -> str:
        when = local_text(self.signing_time)
        who = ", ".join(part for part in (self.signer_name, when) if part)
        if self.status == Status.VALID:
            return _("Parakstīts — %(who)s, ar laika zīmogu") % {"who": who}
        if self.status == Status.NO_TIMESTAMP:
            return _("Parakstīts — %(who)s, bez laika zīmoga") % {"who": who}
        if self.status == Status.UNTRUSTED:
            return _("Parakstītāja sertifikāts nav uzticams")
        if self.status == Status.INVALID:
            return _("Paraksts nav derīgs: %(reason)s") % {"reason": self.reason}
        return _("Parakstu nevar pārbaudīt: %(reason)s") % {"reason": self.reason}

    def summary(self, *, private: bool = False) -> dict:
        data = {
            "status": str(self.status),
            "reason": self.reason,
            "signer": self.signer_name,
            "signing_time": _iso(self.signing_time),
            "claimed_signing_time": _iso(self.claimed_signing_time),
            "timestamped": self.timestamped,
            "timestamp_time": _iso(self.timestamp_time),
            "signer_certificate_sha256": self.signer_certificate_sha256,
            "covers": list(self.covers),
            # the libraries' messages quote certificate subjects, serialNumber and all
            "details": [
                detail.replace(self.personal_code, "…")
                if self.personal_code and not private
                else detail
                for detail in self.details
            ],
        }
        if private:
            data["personal_code"] = self.personal_code
        return data


@dataclass
class DataFile:
    name: str
    size: int


@dataclass
class Report:
    status: Status
    kind: Kind
    reason: str = ""  # for malformed / invalid reports not tied to one signature
    signatures: list[SignatureResult] = field(default_factory=list)
    data_files: list[DataFile] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # library messages for staff

    @property
    def words(self) -> str:
        """One line for the client: who signed and when, or what is wrong."""
        if self.status == Status.UNSIGNED:
            return _("Nav parakstīts")
        if self.status == Status.MALFORMED:
            return _("Parakstu nevar pārbaudīt: %(reason)s") % {"reason": self.reason}
        if self.status == Status.UNTRUSTED:
            return _("Parakstītāja sertifikāts nav uzticams")
        if self.status == Status.INVALID:
            reason = self.reason or next(
                (s.reason for s in self.signatures if s.status == Status.INVALID), ""
            )
            return _("Paraksts nav derīgs: %(reason)s") % {"reason": reason}
        if self.status == Status.NO_TIMESTAMP:
            return _("Bez laika zīmoga")
        return "; ".join(signature.words for signature in self.signatures)

    def summary(self, *, private: bool = False) -> dict:
        """JSON-serialisable, for staff (personal codes only with private=True)."""
        return {
            "status": str(self.status),
            "kind": str(self.kind),
            "reason": self.reason,
            "words": self.words,
            "signatures": [s.summary(private=private) for s in self.signatures],
            "data_files": [{"name": f.name, "size": f.size} for f in self.data_files],
            "details": list(self.details),
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
