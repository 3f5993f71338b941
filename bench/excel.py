"""The Excel report's benchmark (part of `make bench`, or alone: `.venv/bin/python bench/excel.py`).

On the benchmark database (bench/run.py seeds it), in one run, each case in a fresh process so its
peak memory (VmHWM) is its own:

- **plain**: plain openpyxl write-only — the same rows from the same query, the same values from
  the same declaration (eservices/tables.py), a WriteOnlyCell with the date format for each date,
  the bold header, widths, frozen row and filter — appended cell by cell as openpyxl's
  documentation shows;
- **ours**: `eservices.exporters.write_report`, the report the portal sends (manskonts/excel.py);
- alternately, BENCH_EXCEL_REPEAT times each (default 3), medians compared: the ratio plain / ours
  (target ≥ 1.5×);
- **ours, Python heap**: one more run of ours under tracemalloc, its peak;
- **1,000,000 rows**: ours over the legal person's rows read BENCH_EXCEL_PASSES times (default 10)
  from the database, as one sheet; resident memory after the first pass and at the end (flat: the
  same), and the peak.

    BENCH_EXCEL_ROWS=100000 nice .venv/bin/python bench/excel.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/manskonts_bench")
ROWS = int(os.environ.get("BENCH_EXCEL_ROWS", "100000"))
REPEAT = int(os.environ.get("BENCH_EXCEL_REPEAT", "3"))
PASSES = int(os.environ.get("BENCH_EXCEL_PASSES", "10"))
LEGAL = "40003517893"  # SIA „Zemes Mērnieki”, a fifth of the seeded rows
TARGET_RATIO = 1.5


def environment(db_url: str) -> dict[str, str]:
    """Production settings (DEBUG=0) on the benchmark database."""
    return {
        "DJANGO_SETTINGS_MODULE": "manskonts.settings",
        "DATABASE_URL": db_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 40,
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "DEMO_IDP_ENABLED": "0",
        "PAYMENT_PROVIDER": "",
    }


def _status(key: str) -> int:
    """This process's own memory figure from /proc (kB → MB)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(key)) // 1024


def _queryset():
    from accounts.models import Client
    from eservices.models import EService

    legal = Client.objects.get(registration_number=LEGAL)
    return EService.objects.for_client(legal).order_by("-created_at", "-id")[:ROWS]


def plain_openpyxl(queryset, target) -> int:
    """The same report in plain openpyxl write-only mode (the baseline)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from eservices.exporters import CHUNK_SIZE, _chunks, export_rows
    from eservices.tables import TABLE
    from manskonts.columns import DATE
    from manskonts.excel import DATE_FORMAT

    columns = TABLE.excel_columns(user=True)
    fields = list(dict.fromkeys(name for c in columns for name in c.excel.fields))
    specs = [
        (
            c.excel,
            [fields.index(name) for name in c.excel.fields],
            # Labels resolved once here too: the comparison is of the writers.
            {k: str(v) for k, v in c.excel.labels.items()} if c.excel.labels else None,
        )
        for c in columns
    ]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("E-pakalpojumi")
    header = []
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.excel.width
        cell = WriteOnlyCell(sheet, value=str(column.excel.header or column.label))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(header)
    count = 0
    for chunk in _chunks(export_rows(queryset, tuple(fields)), CHUNK_SIZE):
        for row in chunk:
            cells = []
            for spec, places, labels in specs:
                args = [row[i] for i in places]
                if labels is not None:
                    value = labels.get(args[0], args[0])
                else:
                    value = spec.value(*args) if spec.value else args[0]
                if spec.format == DATE and value is not None:
                    value = WriteOnlyCell(sheet, value=value)
                    value.number_format = DATE_FORMAT
                cells.append(value)
            sheet.append(cells)
            count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(target)
    return count


def million(queryset, target) -> dict:
    """Ours, PASSES passes over the rows as one sheet: resident memory after the first and last."""
    from django.utils.translation import gettext as _

    from eservices.exporters import CHUNK_SIZE, _chunks, export_rows
    from eservices.tables import TABLE
    from manskonts.excel import ExcelSheet

    sheet = ExcelSheet(_("E-pakalpojumi"), TABLE.excel_columns(user=True))
    sheet.header()
    rss = []
    for _pass in range(PASSES):
        for chunk in _chunks(export_rows(queryset, sheet.fields), CHUNK_SIZE):
            sheet.append(chunk)
        rss.append(_status("VmRSS:"))
    sheet.save(target)
    return {"rows": sheet.count, "rss_first_pass_mb": rss[0], "rss_last_pass_mb": rss[-1]}


def child(case: str) -> None:
    """One case in this (fresh) process; prints its figures as JSON."""
    import tempfile
    import time
    import tracemalloc

    import django

    django.setup()
    from eservices.exporters import write_report

    queryset = _queryset()
    figures: dict = {}
    if case == "ours-heap":
        tracemalloc.start()
    start = time.perf_counter()
    with tempfile.TemporaryFile() as target:
        if case == "plain":
            figures["rows"] = plain_openpyxl(queryset, target)
        elif case == "million":
            figures.update(million(queryset, target))
        else:
            figures["rows"] = write_report(queryset, target, with_user=True)
        figures["bytes"] = target.tell()
    figures["seconds"] = round(time.perf_counter() - start, 2)
    if case == "ours-heap":
        figures["python_heap_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    # VmHWM: this process's own peak (getrusage's maxrss would also count a forked parent's pages).
    figures["peak_mb"] = _status("VmHWM:")
    print(json.dumps(figures))


def run_case(case: str, db_url: str) -> dict:
    env = {**os.environ, **environment(db_url)}
    env.pop("REDIS_URL", None)  # nothing here queues work
    out = subprocess.run(
        [sys.executable, __file__, "--case", case],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def benchmark(db_url: str = DB_URL) -> dict:
    """Every case on the database at `db_url`, plain and ours alternately; figures and ratio."""
    plain, ours = [], []
    for _ in range(REPEAT):
        plain.append(run_case("plain", db_url))
        ours.append(run_case("ours", db_url))
    plain_s = statistics.median(r["seconds"] for r in plain)
    ours_s = statistics.median(r["seconds"] for r in ours)
    return {
        "rows": ours[0]["rows"],
        "plain_openpyxl_seconds": [r["seconds"] for r in plain],
        "ours_seconds": [r["seconds"] for r in ours],
        "seconds": ours_s,
        "plain_seconds": plain_s,
        "ratio": round(plain_s / ours_s, 2),
        "peak_mb": max(r["peak_mb"] for r in ours),
        "plain_peak_mb": max(r["peak_mb"] for r in plain),
        "bytes": ours[0]["bytes"],
        "plain_bytes": plain[0]["bytes"],
        "ours_heap": run_case("ours-heap", db_url),
        "million": run_case("million", db_url) if PASSES else None,
    }


def report(figures: dict) -> str:
    m = figures["million"]
    lines = [
        f"Excel {figures['rows']} rows, median of {REPEAT}: ours {figures['seconds']} s "
        f"(peak {figures['peak_mb']} MB, {figures['bytes'] // 1024} KiB) vs plain openpyxl "
        f"write-only {figures['plain_seconds']} s (peak {figures['plain_peak_mb']} MB) "
        f"= {figures['ratio']}× faster (target ≥ {TARGET_RATIO}×)",
        f"  runs: ours {figures['ours_seconds']}, plain {figures['plain_openpyxl_seconds']}; "
        f"Python heap peak (tracemalloc) {figures['ours_heap']['python_heap_peak_mb']} MB",
    ]
    if m:
        lines.append(
            f"Excel {m['rows']} rows in one sheet: {m['seconds']} s, resident "
            f"{m['rss_first_pass_mb']} MB after the first {m['rows'] // PASSES} rows and "
            f"{m['rss_last_pass_mb']} MB at the end, peak {m['peak_mb']} MB, "
            f"{m['bytes'] // 2**20} MiB file"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        child(sys.argv[2])  # run_case has set the environment
    else:
        result = benchmark()
        print(report(result))
        print(json.dumps(result, indent=2))
