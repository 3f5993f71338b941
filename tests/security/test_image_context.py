"""The image is built from the working folder (`COPY . .`): what stays on a developer's machine
stays out of it. A `.env` holds local secrets; test-results/ holds the browser suite's screenshots
of every page (names, personal codes and invoices of the persons on them) and failure captures;
the benchmarks' database and results are a developer's."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parents[2]

LOCAL_ONLY = [
    ".env",
    "test-results/screenshots/audit/own/01-overview-360.png",
    "test-results/test_a_failing_page.png",
    "bench/.pgdata/PG_VERSION",
    "bench/results.json",
    "bench/load-results.json",
    "bench/validation.json",
    ".pgdata/PG_VERSION",
    "media/documents/result.pdf",
]


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether .dockerignore leaves the path out: a pattern matches it or one of its folders."""
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch(prefix, pattern) for pattern in patterns for prefix in prefixes)


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip().strip("/") for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("path", LOCAL_ONLY)
def test_the_image_leaves_out_what_stays_on_a_developers_machine(path):
    assert ignored(path, dockerignore()), path


def test_the_image_keeps_the_code():
    patterns = dockerignore()

    assert not [
        path
        for path in ("manage.py", "manskonts/settings.py", "templates/base.html", "bench/run.py")
        if ignored(path, patterns)
    ]
