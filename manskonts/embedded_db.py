"""The embedded PostgreSQL used when DATABASE_URL is unset: a fresh machine needs no database install.

pgserver ships PostgreSQL binaries inside its wheel and keeps the cluster in a git-ignored folder.
It reuses a server that is already running on that folder, so every manage.py call shares one.
"""

from __future__ import annotations

import warnings
from pathlib import Path

DATABASE_NAME = "manskonts"


def embedded_database(data_dir: Path) -> dict[str, str]:
    """Start (or join) the embedded server and return Django's connection settings for it."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    # DATABASE_NAME is a constant of ours, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }
