"""The embedded PostgreSQL (DATABASE_URL unset) starts only for a command that connects, and
`make stop` (python -m manskonts.embedded_db stop) stops it. Each test uses a folder of its own
(EMBEDDED_PGDATA), never the project's .pgdata, and not under pytest's tmp_path: a parallel
pytest session of the same user may delete an older session's tmp_path folders while this one runs."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from manskonts import embedded_db

pytest.importorskip("pgserver")  # the "local" extra: absent where DATABASE_URL is always set
import psutil  # pgserver's dependency

ROOT = Path(__file__).resolve().parents[2]


def postgres_on(path: Path) -> list[psutil.Process]:
    """The PostgreSQL processes serving that data folder."""
    found = []
    for process in psutil.process_iter(["name", "cmdline"]):
        if process.info["name"] == "postgres" and str(path) in (process.info["cmdline"] or []):
            found.append(process)
    return found


def manage(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["EMBEDDED_PGDATA"] = str(path)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def data_dir():
    folder = Path(tempfile.mkdtemp(prefix="mk-embedded-"))
    path = folder / "pgdata"
    yield path
    if postgres_on(path):  # a failed test leaves nothing behind either
        embedded_db.stop(path)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v0"],
        ["collectstatic", "--dry-run", "--noinput", "-v0"],
        ["help"],
    ],
)
def test_a_command_that_needs_no_database_starts_no_postgresql(data_dir, command):
    done = manage(data_dir, *command)

    assert done.returncode == 0, done.stderr
    assert not data_dir.exists()
    assert postgres_on(data_dir) == []
    assert "Embedded PostgreSQL" not in done.stderr


def test_a_command_that_connects_starts_it_says_so_and_stop_stops_it(data_dir):
    first = manage(
        data_dir, "shell", "-c", "from django.db import connection as c; c.ensure_connection()"
    )
    started = postgres_on(data_dir)
    second = manage(data_dir, "dbshell", "--", "-c", "SELECT 1")

    assert first.returncode == 0, first.stderr
    assert "Embedded PostgreSQL started" in first.stderr and "make stop" in first.stderr
    assert started, "the server keeps running after the command"
    assert second.returncode == 0, second.stderr
    assert "Embedded PostgreSQL started" not in second.stderr  # joined, not started again
    assert postgres_on(data_dir) == started

    assert embedded_db.stop(data_dir) is True

    assert postgres_on(data_dir) == []
    assert embedded_db.running_pid(data_dir) is None
    assert (data_dir / "PG_VERSION").exists()  # the data stays
    assert embedded_db.stop(data_dir) is False


def test_make_stop_runs_the_stop(data_dir):
    embedded_db.start(data_dir, database=None)
    assert postgres_on(data_dir)
    env = {**os.environ, "EMBEDDED_PGDATA": str(data_dir)}

    done = subprocess.run(
        [sys.executable, "-m", "manskonts.embedded_db", "stop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "stopped" in done.stdout
    assert postgres_on(data_dir) == []
