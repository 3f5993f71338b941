"""Check the signatures of stored documents again: after the trust store changed (a Trusted List
loaded, a CA added or removed), a document's result may change. The same function the task uses."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.models import Document, SignatureStatus
from documents.signing import revalidate


class Command(BaseCommand):
    help = (
        "Validate again the signatures of stored PDF and ASiC-E (.edoc) documents against the "
        "current SIGNATURE_TRUST_STORE and store the results. Without options: every stored one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--status",
            action="append",
            choices=[s for s in SignatureStatus.values if s],
            help="only documents whose last result was this (repeatable)",
        )
        parser.add_argument(
            "--id", action="append", type=int, help="only this document (repeatable)"
        )

    def handle(self, *args, status=None, id=None, **options) -> None:
        queryset = Document.objects.all()
        if status:
            queryset = queryset.filter(signature_status__in=status)
        if id:
            queryset = queryset.filter(pk__in=id)
            if not queryset.exists():
                raise CommandError("No such document.")
        counts = revalidate(queryset)
        total = sum(counts.values())
        summary = ", ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "none"
        self.stdout.write(f"Checked {total} documents: {summary}.")
