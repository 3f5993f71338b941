"""The embedded PostgreSQL used when DATABASE_URL is unset: a fresh machine needs no database install.

pgserver ships PostgreSQL binaries inside its wheel and keeps the cluster in a git-ignored folder
(.pgdata/, or EMBEDDED_PGDATA). The server starts at the first connection a command opens (the
database engine manskonts.embedded_db, base.py), so commands that need no database — check,
compilemessages, collectstatic, makemessages, help — never start it. Once started it keeps running
after the command, and every later command joins it (a runserver restart or the next migrate connects
at once); `make stop` (python -m manskonts.embedded_db stop) stops it. A test run that started the
server stops it when it ends, unless another process still uses it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

from manskonts.env import env_str

DATABASE_NAME = "manskonts"
ENGINE = "manskonts.embedded_db"
DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent.parent / ".pgdata"
# As root, pgserver runs PostgreSQL as this user (PostgreSQL refuses to run as root).
SYSTEM_USER = "pgserver"

_databases_made: set[tuple[Path, str]] = set()


def data_dir() -> Path:
    """Where the cluster lives: EMBEDDED_PGDATA, or .pgdata/ in the project folder."""
    return Path(env_str("EMBEDDED_PGDATA") or DEFAULT_DATA_DIR).expanduser().resolve()


def database_settings(path: Path, *, keep_running: bool = True) -> dict:
    """Django's DATABASES entry for the embedded server; nothing starts until a connection opens."""
    return {
        "ENGINE": ENGINE,
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": "",
        "PORT": "",
        "EMBEDDED": {"DATA_DIR": str(path), "KEEP_RUNNING": keep_running},
    }


def _pgserver():
    # Imported only when a server is wanted: pgserver is the "local" extra, absent from the
    # production image, and importing it creates its runtime folder.
    warnings.filterwarnings("ignore", module="platformdirs")
    # Its INFO lines echo every pg_ctl and psql call; start() says in one line what happened.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    import pgserver
    from pgserver.utils import PostmasterInfo

    return pgserver, PostmasterInfo


def running_pid(path: Path) -> int | None:
    """The server's process id while one runs on that folder, else None."""
    if not (path / "postmaster.pid").exists():
        return None
    _, postmaster_info = _pgserver()
    info = postmaster_info.read_from_pgdata(path)
    return info.pid if info is not None and info.is_running() else None


def start(path: Path, *, keep_running: bool = True, database: str | None = DATABASE_NAME) -> dict:
    """Start (or join) the server on that folder, make the database (if one is named) once a
    process, return Django's HOST and PORT for it."""
    pgserver, _ = _pgserver()
    was_running = running_pid(path) is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(path, cleanup_mode=None if keep_running else "stop")
    if not was_running:
        until = "until `make stop`" if keep_running else "until the tests end"
        print(f"Embedded PostgreSQL started on {path}, running {until}.", file=sys.stderr)
    if database and (path, database) not in _databases_made:
        # database is ours (DATABASE_NAME), never input.
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f'CREATE DATABASE "{database}";')
        _databases_made.add((path, database))
    info = server.get_postmaster_info()
    return {"HOST": str(info.socket_dir), "PORT": str(info.port)}


def stop(path: Path) -> bool:
    """Stop the server running on that folder (its data stays); False if none was running."""
    if running_pid(path) is None:
        return False
    pgserver, _ = _pgserver()
    user = SYSTEM_USER if hasattr(os, "geteuid") and os.geteuid() == 0 else None
    try:
        # fast: connected sessions (a runserver, a shell) are ended, not waited for.
        pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=path, user=user)
    except subprocess.CalledProcessError:
        if running_pid(path) is not None:
            raise
    return True
