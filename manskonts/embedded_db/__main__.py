"""python -m manskonts.embedded_db stop | status — what `make stop` runs; needs no Django settings."""

from __future__ import annotations

import sys

from manskonts.embedded_db import data_dir, running_pid, stop


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "status"
    path = data_dir()
    if command == "stop":
        if stop(path):
            print(f"Embedded PostgreSQL stopped; its data stays in {path}.")
        else:
            print(f"No embedded PostgreSQL was running on {path}.")
        return 0
    if command == "status":
        pid = running_pid(path)
        print(f"Embedded PostgreSQL on {path}: " + (f"running, pid {pid}." if pid else "stopped."))
        return 0
    print("usage: python -m manskonts.embedded_db stop|status", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
