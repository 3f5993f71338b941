"""Load an EU Trusted List XML file (ETSI TS 119 612) the operator downloaded into the signature
trust store folder, offline: the certificates of its granted qualified CA and time-stamp services
(signatures/trusted_list.py). Then, with --revalidate, check stored documents again."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents import signing
from signatures.trusted_list import (
    TrustedListError,
    read_trusted_list,
    territory_of,
    write_to_folder,
)


class Command(BaseCommand):
    help = (
        "Write the certificates of the granted CA/QC and TSA/QTST services of a Trusted List XML "
        "file into the trust store folder (default SIGNATURE_TRUST_STORE). Nothing is fetched."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the Trusted List XML file, e.g. LV.xml")
        parser.add_argument(
            "--folder", help="the trust store folder (default SIGNATURE_TRUST_STORE)"
        )
        parser.add_argument(
            "--revalidate",
            action="store_true",
            help="then check the signatures of stored documents again",
        )

    def handle(self, *args, file: str, folder=None, revalidate: bool = False, **options) -> None:
        folder = folder or settings.SIGNATURE_TRUST_STORE
        if not folder:
            raise CommandError("Give --folder or set SIGNATURE_TRUST_STORE.")
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            territory = territory_of(data)
            services = read_trusted_list(data)
        except TrustedListError as error:
            raise CommandError(f"{file}: {error}") from error
        if not services:
            raise CommandError(f"{file}: no granted CA/QC or TSA/QTST service; nothing written.")
        written, removed = write_to_folder(services, folder, territory=territory or "EU")
        self.stdout.write(
            f"{territory or 'EU'}: {len(services)} services, {len(written)} certificates in "
            f"{folder}, {len(removed)} earlier ones removed."
        )
        if revalidate:
            counts = signing.revalidate()
            self.stdout.write(f"Checked {sum(counts.values())} documents again.")
