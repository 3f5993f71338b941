"""How to pay an invoice by bank transfer: VZD's account at the State Treasury (invented details in
the demo's format; a deployment overrides them in settings), and where to check a transfer."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class BankDetails:
    recipient: str
    registration_number: str
    bank: str
    bic: str
    iban: str


DEFAULT_BANK_DETAILS = BankDetails(
    recipient="Valsts zemes dienests",
    registration_number="90000123450",
    bank="Valsts kase",
    bic="TRELLV22",
    iban="LV47TREL9160000000001",
)

# The State Treasury's public form: has a payment reached a state budget account?
TREASURY_PAYMENT_CHECK_URL = "https://kase.gov.lv/noderigi/budzeta-veikta-maksajuma-parbaude"


def bank_details() -> BankDetails:
    return getattr(settings, "VZD_BANK_DETAILS", None) or DEFAULT_BANK_DETAILS


def treasury_check_url() -> str:
    return getattr(settings, "TREASURY_PAYMENT_CHECK_URL", "") or TREASURY_PAYMENT_CHECK_URL


def grouped_iban(iban: str) -> str:
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
