"""A redis-server of a test's own, on a free port, that the test may stop, start again, pause
(SIGSTOP) and resume (SIGCONT): the broker outages of the fault tests, without touching the
shared Redis other tests use.

Ports are taken from TEST_SERVICE_PORTS (default 7300-7399), the first one free.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def service_ports() -> range:
    first, _, last = os.environ.get("TEST_SERVICE_PORTS", "7300-7399").partition("-")
    return range(int(first), int(last or first) + 1)


def free_port() -> int:
    for port in service_ports():
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as redis-server binds
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("No free port in TEST_SERVICE_PORTS for a test's own service.")


class RedisServer:
    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} exited at start.")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not answer within 10 s.")

    def stop(self) -> None:
        if self.process is None:
            return
        self.resume()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def pause(self) -> None:
        """SIGSTOP: connections are still accepted by the kernel, but nothing ever answers."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        if self.process is not None and self.paused:
            self.process.send_signal(signal.SIGCONT)
            self.paused = False


@pytest.fixture
def own_redis(tmp_path):
    """A running redis-server of this test's own; stopped (and resumed first) afterwards."""
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def broker(own_redis):
    """This process sends tasks to `own_redis` (no worker, unless the test starts one)."""
    from manskonts.celery import app
    from tests.worker import reset_connections

    saved = {key: app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    app.conf.update(broker_url=own_redis.url, result_backend=own_redis.url, task_always_eager=False)
    reset_connections(app)
    try:
        yield own_redis
    finally:
        own_redis.resume()
        app.conf.update(saved)
        reset_connections(app)


def gunicorn_own_control() -> list[str]:
    """gunicorn 24+ opens a control socket at ~/.gunicorn/gunicorn.ctl, one for every server the
    user runs: test servers of two runs at once took each other's. A test's server opens none
    (gunicorn 23, the lowest allowed, has no such socket nor option)."""
    from gunicorn.config import KNOWN_SETTINGS  # a test dependency only where gunicorn is tested

    return (
        ["--no-control-socket"] if any(s.name == "control_socket" for s in KNOWN_SETTINGS) else []
    )
