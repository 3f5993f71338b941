"""The retention purge for those who run cron instead of Celery beat: the same service function."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from documents.services import PURGE_BATCH_SIZE, purge_expired_files


class Command(BaseCommand):
    help = (
        "Delete from storage the e-service files kept longer than FILE_RETENTION_DAYS, keep their "
        "records and write an audit entry per file; delete Excel exports older than "
        "EXPORT_RETENTION_DAYS (records kept). Safe to re-run or interrupt."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=PURGE_BATCH_SIZE)

    def handle(self, *args, batch_size: int, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        report = purge_expired_files(batch_size=batch_size)
        self.stdout.write(
            f"Deleted {report.purged} files, {report.failed} failed (kept for the next run), "
            f"{report.batches} batches, {report.exports_purged} expired Excel exports, "
            + "".join(f"{purged} {key}, " for key, (purged, _failed) in report.others.items())
            + f"{report.seconds:.1f} s."
        )
        if report.failed:
            raise CommandError(
                f"{report.failed} files could not be deleted from storage; see the audit log."
            )
