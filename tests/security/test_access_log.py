"""The production access log never writes query strings or referers (issue 12, point 9).

Admin searches and list filters put personal codes in the URL (/admin/accounts/user/?q=120585-12340),
and the referer repeats the previous page's URL. gunicorn's `--access-logfile -` with its default
format (%(r)s, the request line, and %(f)s, the referer) wrote both to the production log, although
the request log (manskonts/request_log.py) promises never to. The attack: search for a person in the
admin, then read the log.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from gunicorn.app.base import Application

from tests.redis_server import free_port, gunicorn_own_control

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "gunicorn.conf.py"
PERSONAL_CODE = "120585-12340"

# Atoms that write the query string or the referer: the request line, the query, the referer, and
# headers or environment variables that carry them.
ATOM = re.compile(r"%\((\{[^}]*\}[ieo]|\w)\)s")
FORBIDDEN_ATOMS = {"r", "q", "f"}
FORBIDDEN_NAMED = re.compile(r"referr?er|query|uri|request_line|location", re.IGNORECASE)


class ConfigFile(Application):
    """gunicorn's own reading of a configuration file, with nothing else on the command line."""

    def __init__(self, path: Path):
        self.path = path
        super().__init__()

    def load_config(self):
        self.load_config_from_file(str(self.path))

    def init(self, parser, opts, args):  # pragma: no cover - no command line is read
        return None

    def load(self):  # pragma: no cover - never served
        raise NotImplementedError


def production_command() -> list[str]:
    """The web server's command as the image runs it: the Dockerfile's CMD."""
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^CMD (\[.*?\])\s*$", text.replace("\\\n", " "), re.MULTILINE | re.DOTALL)
    assert match, "the Dockerfile has no CMD in exec form"
    return json.loads(match.group(1))


def compose_web_command() -> list[str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["web"].get("command")
    if command is None:
        return production_command()
    return shlex.split(command) if isinstance(command, str) else command


def test_configured_access_log_writes_the_path_never_the_query_string_or_referer():
    config = ConfigFile(CONFIG).cfg

    atoms = set(ATOM.findall(config.access_log_format))

    assert config.accesslog == "-"
    assert "U" in atoms  # the path without the query string
    assert atoms.isdisjoint(FORBIDDEN_ATOMS), config.access_log_format
    assert not [a for a in atoms if a.startswith("{") and FORBIDDEN_NAMED.search(a)]


@pytest.mark.parametrize("where", ["Dockerfile", "docker-compose.yml"])
def test_the_image_and_compose_run_gunicorn_with_that_configuration(where):
    command = production_command() if where == "Dockerfile" else compose_web_command()

    assert command[0] == "gunicorn", command
    assert command[command.index("--config") + 1] == "gunicorn.conf.py", command
    assert not [arg for arg in command if arg.startswith(("--access-log", "--log-config"))]


def without_bind_and_workers(command: list[str]) -> list[str]:
    args, skip = [], False
    for arg in command:
        if skip:
            skip = False
        elif arg in ("--bind", "-b", "--workers", "-w"):
            skip = True
        else:
            args.append(arg)
    return args


def test_gunicorn_as_the_image_runs_it_logs_no_personal_code_from_a_search(tmp_path):
    port = free_port()
    command = without_bind_and_workers(production_command())
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                *command[1:],
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                *gunicorn_own_control(),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            search = f"http://127.0.0.1:{port}/admin/accounts/user/?q={PERSONAL_CODE}"
            referer = f"http://127.0.0.1:{port}/admin/accounts/client/?q=32051741234"
            deadline = time.monotonic() + 30
            while True:
                try:
                    request = urllib.request.Request(search, headers={"Referer": referer})
                    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310 - loopback
                    break
                except urllib.error.HTTPError:
                    break  # any answer is logged
                except (urllib.error.URLError, ConnectionError):
                    assert server.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.2)
            while (
                time.monotonic() < deadline and "/admin/accounts/user/" not in log_path.read_text()
            ):
                time.sleep(0.1)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)

    log = log_path.read_text()
    access_lines = [line for line in log.splitlines() if '"GET /admin/accounts/user/' in line]
    assert access_lines, log
    assert PERSONAL_CODE not in log
    assert "32051741234" not in log
    assert "q=" not in log
