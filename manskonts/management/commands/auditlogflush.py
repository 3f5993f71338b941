"""auditlog's `auditlogflush` deletes audit entries; here the trail is never purged."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Refused: the audit trail is kept like the accounting records and never purged."

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")
        parser.add_argument("-y", "--yes", action="store_true")
        parser.add_argument("-b", "--before-date")

    def handle(self, *args, **options):
        raise CommandError(
            "The audit trail is never purged (docs/audit.md); the database refuses it too."
        )
