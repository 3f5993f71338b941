"""The retention purge at scale: 100,000 expired e-service files (target ≤ 60 s, bounded memory,
no younger file touched).

Seeds a separate database (BENCH_PURGE_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/manskonts_bench_purge) with BENCH_PURGE_FILES expired files on
local disk (a temporary MEDIA_ROOT) and a tenth as many files 89 days old, then runs the purge in
a fresh subprocess — the same service function beat and the management command call — and prints
its seconds and peak memory (max RSS of that process), and checks the result.

    .venv/bin/python bench/purge.py
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get(
    "BENCH_PURGE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/manskonts_bench_purge"
)
FILES = int(os.environ.get("BENCH_PURGE_FILES", "100000"))
YOUNG = max(FILES // 10, 1)
TARGET_SECONDS = 60.0
TARGET_PEAK_MB = 150.0


def ensure_database() -> None:
    import psycopg

    parsed = urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(media: Path) -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ["MEDIA_ROOT"] = str(media)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "manskonts.settings")
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()


def seed(media: Path) -> None:
    from datetime import timedelta

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from accounts.models import Client, User
    from documents.models import Document
    from eservices.models import EService
    from orders.models import Service

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE documents_documentauditentry, documents_document RESTART IDENTITY CASCADE"
        )
    person, _ = User.objects.get_or_create(
        personal_code="32000000001", defaults={"username": "PK:32000000001"}
    )
    client = Client.objects.get_or_create_for_person(person)
    eservice = EService.objects.create(client=client, service=Service.objects.order_by("pk")[0])

    now = timezone.now()
    folder = media / "documents" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    batch: list[Document] = []
    for i in range(FILES + YOUNG):
        young = i >= FILES
        name = f"documents/bench/{i:07d}"
        (media / name).write_bytes(b"%PDF-1.4\n%%EOF\n")
        age = timedelta(days=89) if young else timedelta(days=91, seconds=i)
        batch.append(
            Document(
                file=name,
                original_name=f"{i}.pdf",
                size=15,
                content_type="application/pdf",
                direction=Document.Direction.SUBMITTED,
                eservice=eservice,
                uploaded_at=now - age,
            )
        )
        if len(batch) == 5000:
            Document.objects.bulk_create(batch)
            batch.clear()
    Document.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE documents_document")


def run_purge() -> None:
    """In the child process: the purge itself, reported as JSON on stdout."""
    from documents.services import purge_expired_files

    report = purge_expired_files()
    print(
        json.dumps(
            {
                "purged": report.purged,
                "failed": report.failed,
                "batches": report.batches,
                "peak_mb": peak_rss_mb(),
            }
        )
    )


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM). Not getrusage's maxrss, which on Linux
    also counts what the process held before exec: the forked copy of its large parent."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        setup_django(Path(sys.argv[2]))
        run_purge()
        return

    ensure_database()
    with tempfile.TemporaryDirectory(prefix="purge-bench-") as tmp:
        media = Path(tmp)
        setup_django(media)
        started = time.monotonic()
        seed(media)
        print(
            f"seeded {FILES:,} expired + {YOUNG:,} younger files in {time.monotonic() - started:.1f} s"
        )

        started = time.monotonic()
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(media)],
            env={**os.environ},
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.monotonic() - started
        report = json.loads(child.stdout.strip().splitlines()[-1])
        peak_mb = report["peak_mb"]

        from documents.models import Document, DocumentAuditEntry

        left = sum(1 for p in (media / "documents" / "bench").iterdir())
        young_kept = Document.objects.filter(deleted_at__isnull=True).count()
        audit = DocumentAuditEntry.objects.count()

    ok = (
        report["purged"] == FILES
        and young_kept == YOUNG
        and left == YOUNG
        and audit == FILES
        and seconds <= TARGET_SECONDS
        and peak_mb <= TARGET_PEAK_MB
    )
    print(
        f"purge: {report['purged']:,} files in {seconds:.1f} s (target ≤ {TARGET_SECONDS:.0f} s), "
        f"peak memory {peak_mb:.0f} MB (target ≤ {TARGET_PEAK_MB:.0f} MB), "
        f"{report['batches']} batches, {report['failed']} failed"
    )
    print(
        f"younger files kept: {young_kept:,} of {YOUNG:,} records, {left:,} files on disk; "
        f"audit entries: {audit:,}"
    )
    print("OK" if ok else "TARGET MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
