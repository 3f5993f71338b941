"""The worst cost of validating one uploaded file: `.venv/bin/python bench/validation.py`.

Builds hostile containers (tests/documents/bombs.py) and the heaviest files the limits still
accept, writes each to disk as gunicorn's upload handler would, and validates it with
`manskonts.validation.validate_upload` in a fresh process: CPU seconds of the call, that
process's peak memory (VmHWM, as bench/run.py measures) and its growth over the memory Django
itself took before the call. Target: ≤ 1 s CPU and ≤ 50 MB per file whatever it holds.
Prints a table and writes bench/validation.json. Needs no database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.documents import bombs  # noqa: E402 — after the path above

TARGET_CPU, TARGET_MB = 1.0, 50

os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "manskonts.settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 40,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://bench@127.0.0.1:5432/unused",  # validation reads no database
        "LOG_LEVEL": "WARNING",
        "DEMO_IDP_ENABLED": "0",
        "PAYMENT_PROVIDER": "",
    }
)

CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
import django; django.setup()
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from manskonts.validation import validate_upload

def status(key):
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(key))

path, name = sys.argv[2], sys.argv[3]
size = __import__("os").path.getsize(path)
with open(path, "rb") as handle:
    upload = UploadedFile(handle, name=name, size=size)
    before = status("VmRSS:")
    started = time.process_time()
    try:
        result = "accepted as " + validate_upload(upload).kind.code
    except ValidationError as error:
        result = "refused: " + error.messages[0]
    cpu = time.process_time() - started
# VmHWM: this process's own peak (getrusage's maxrss would also count a forked parent's pages).
print(repr((cpu, status("VmHWM:") // 1024, (status("VmHWM:") - before) // 1024, result)))
"""


def cases() -> list[tuple[str, str, object]]:
    """(what, file name, builder) for every worst case."""
    from manskonts.validation import CONTAINER_MAX_ENTRIES, CONTAINER_MAX_RATIO
    from manskonts.validation import CONTAINER_MAX_UNCOMPRESSED as MAX_UNPACKED

    just_under = CONTAINER_MAX_ENTRIES - 2
    return [
        ("1,040,000-entry directory, ZIP64 end record", "saraksts.zip", bombs.million_entries),
        ("1,040,000-entry directory claiming 1 entry", "saraksts.zip", bombs.lying_count),
        (
            "10,001 entries claiming 1 (small directory)",
            "saraksts.zip",
            bombs.just_over_the_entry_limit,
        ),
        ("42.zip-like: 16 × 16 × 16 MiB of zeros, 2 levels", "42.zip", bombs.nested_42),
        ("one member of 1 GiB zeros (ratio ~1000)", "plans.zip", bombs.high_ratio),
        ("a member declaring 16 EiB (ZIP64)", "liels.zip", bombs.huge_declared_size),
        (
            "members within the ratio, 600 MiB declared",
            "liels.zip",
            lambda: bombs.just_over_the_unpacked_total(MAX_UNPACKED, CONTAINER_MAX_RATIO),
        ),
        ("1,000 records on the same data (overlap)", "parklajas.zip", bombs.overlapping),
        ("DOCX whose document.xml is 1 GiB of zeros", "līgums.docx", bombs.docx_bomb),
        (
            "DOCX embedding a 20,000-entry workbook",
            "līgums.docx",
            bombs.docx_embedding_many_entries,
        ),
        (
            "ASiC-E signing a DOCX bomb (1 GiB inside)",
            "parakstīts.edoc",
            bombs.asice_with_docx_bomb,
        ),
        ("ASiC-E signing a ZIP", "parakstīts.edoc", bombs.asice_with_zip),
        (
            f"accepted: {just_under:,} small deflated members",
            "daudz.zip",
            lambda: bombs.raw_zip(
                [bombs.deflated(f"{i}.txt", b"teksts %d" % i) for i in range(just_under)]
            ),
        ),
        (
            "accepted: ASiC-E with 3,000 signed DOCX",
            "parakstīts.edoc",
            lambda: bombs.asice_with(
                *(bombs.stored(f"{i}.docx", bombs.docx_with()) for i in range(3000))
            ),
        ),
        (
            "accepted: ASiC-E with a 19 MiB DOCX inside",
            "parakstīts.edoc",
            lambda: bombs.asice_with(
                bombs.deflated(
                    "liels.docx",
                    bombs.docx_with(bombs.deflated("word/media/a.txt", os.urandom(19 * bombs.MiB))),
                )
            ),
        ),
    ]


def measure(path: Path, name: str) -> tuple[float, int, int, str]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT), str(path), name],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    ).stdout
    return eval(out.strip().splitlines()[-1])  # noqa: S307 — our own child's repr of a tuple


def main() -> None:
    import django

    django.setup()
    results = []
    print(f"{'case':52} {'size':>9} {'CPU s':>6} {'peak MB':>8} {'growth':>7}  result")
    with tempfile.TemporaryDirectory() as folder:
        for what, name, build in cases():
            started = time.perf_counter()
            data = build()
            built = time.perf_counter() - started
            path = Path(folder) / "upload"
            path.write_bytes(data)
            cpu, peak_mb, growth_mb, result = measure(path, name)
            ok = cpu <= TARGET_CPU and growth_mb <= TARGET_MB
            results.append(
                {
                    "case": what,
                    "bytes": len(data),
                    "cpu_seconds": round(cpu, 3),
                    "peak_mb": peak_mb,
                    "growth_mb": growth_mb,
                    "result": result,
                    "within_target": ok,
                    "build_seconds": round(built, 2),
                }
            )
            print(
                f"{what:52} {len(data) / 1e6:7.1f}MB {cpu:6.3f} {peak_mb:8} {growth_mb:7}  "
                f"{'' if ok else 'OVER TARGET '}{result[:70]}"
            )
    (ROOT / "bench" / "validation.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False)
    )
    worst_cpu = max(r["cpu_seconds"] for r in results)
    worst_growth = max(r["growth_mb"] for r in results)
    print(
        f"worst: {worst_cpu:.3f} s CPU, {worst_growth} MB over Django's own memory "
        f"(targets {TARGET_CPU} s, {TARGET_MB} MB)"
    )


if __name__ == "__main__":
    main()
