"""A PostgreSQL primary and a hot standby streaming from it, of a test's own: made with initdb and
pg_basebackup in a temporary folder, on free ports from TEST_SERVICE_PORTS, stopped and deleted at
the end. The binaries are the system's (/usr/lib/postgresql/<newest>/bin) or, without them,
pgserver's (the embedded PostgreSQL's wheel).

PostgreSQL refuses to run as root: as root (the CI), every PostgreSQL program runs as the
`postgres` system user (or pgserver's `pgserver`), through runuser.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.redis_server import free_port

DATABASE = "manskonts"


def binaries() -> Path:
    system = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if system:
        return system[-1].parent
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def system_user() -> str | None:
    """Who runs PostgreSQL: None (this process's user) unless this process is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "pgserver"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("Running as root with neither a postgres nor a pgserver system user.")


class Server:
    """One PostgreSQL server (primary or standby) on its own folder and port."""

    def __init__(self, folder: Path, bin_dir: Path, user: str | None):
        self.folder = folder
        self.bin = bin_dir
        self.user = user
        self.port = free_port()

    def run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed: {result.stdout}\n{result.stderr}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def connect(self, database: str = DATABASE) -> psycopg.Connection:
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder}"
            " -c fsync=off -c full_page_writes=off"
        )
        self.run(
            "pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
            "-o", options, "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.folder / "data" / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


class Cluster:
    """A primary with database `manskonts`, and a standby replaying its WAL (hot_standby)."""

    def __init__(self):
        self.bin = binaries()
        self.user = system_user()
        self.root = Path(tempfile.mkdtemp(prefix="mk-replica-"))
        for name in ("primary", "standby"):
            (self.root / name).mkdir()
        if self.user is not None:
            account = pwd.getpwnam(self.user)
            for path in (self.root, self.root / "primary", self.root / "standby"):
                os.chown(path, account.pw_uid, account.pw_gid)
        self.primary = Server(self.root / "primary", self.bin, self.user)
        self.standby: Server | None = None

    def start(self) -> None:
        data = str(self.primary.folder / "data")
        self.primary.run(
            "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync",
            "--encoding=UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        self.primary.start()
        with self.primary.connect("postgres") as connection:
            connection.execute(f'CREATE DATABASE "{DATABASE}"')
        # The standby takes another port: taken after the primary listens on its own.
        self.standby = Server(self.root / "standby", self.bin, self.user)
        self.standby.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.standby.folder / "data"), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync",
        )  # fmt: skip
        self.standby.start()

    def stop(self) -> None:
        for server in (self.standby, self.primary):
            if server is not None:
                with contextlib.suppress(RuntimeError):
                    server.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def copy_database(self, source_url: str) -> bool:
        """The source database's schema and rows into the primary's `manskonts` (pg_dump, a
        second or so); False when this pg_dump cannot read that server (an older pg_dump)."""
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
            capture_output=True,
            timeout=120,
            check=False,
        )
        if dump.returncode != 0:
            return False
        subprocess.run(
            [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.primary.url],
            input=dump.stdout,
            capture_output=True,
            timeout=120,
            check=True,
        )
        return True

    # --- what the tests do to the standby -------------------------------------------------------

    def caught_up(self, seconds: float = 60, *, position: str = "pg_last_wal_replay_lsn()") -> None:
        """Wait until the standby has replayed everything the primary has written so far."""
        with self.primary.connect() as primary:
            (target,) = primary.execute("SELECT pg_current_wal_lsn()").fetchone()
        deadline = time.monotonic() + seconds
        with self.standby.connect() as standby:
            while True:
                (done,) = standby.execute(
                    f"SELECT COALESCE({position} >= %s::pg_lsn, false)",
                    [target],
                ).fetchone()
                if done:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError("The standby did not catch up.")
                time.sleep(0.02)

    def received(self) -> None:
        """Wait until the standby has received (not necessarily replayed) all the primary's WAL."""
        self.caught_up(position="pg_last_wal_receive_lsn()")

    def pause_replay(self) -> None:
        with self.standby.connect() as standby:
            standby.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with self.standby.connect() as standby:
            standby.execute("SELECT pg_wal_replay_resume()")
