"""Attack: send bodies far over the limits and make the server write them to disk.

Reported: a 400 MB upload against the 50 MB limit wrote a 389 MB temporary file before it was
refused; an anonymous 300 MB POST to the sign-out URL wrote 279 MB before its 403. Now a body
whose declared length passes the limit of its URL is refused with a Latvian 413 page unread, an
upload is stopped as soon as one file passes its limit, URLs that take no files (and every
signed-out request) accept 64 kB, and no such request puts anything large on disk.

The first tests go through Django's test client; the attacks in `TestAgainstGunicorn` run
against a real gunicorn (production settings, gunicorn.conf.py) started on a port in 7700–7799,
stream the body through a raw socket, and watch FILE_UPLOAD_TEMP_DIR while they send.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client as HttpClient
from django.urls import reverse

from accounts.forms import AUTHORITY_DOCUMENT_MAX_BYTES
from billing.camt import MAX_BYTES as STATEMENT_MAX_BYTES
from billing.models import BankStatement
from conversations.services import MAX_ATTACHMENTS
from documents.admin import ResultUploadInline
from documents.models import Document
from documents.uploads import SESSION_KEY
from tests.documents import samples
from tests.factories import EServiceFactory, InvoiceFactory, StaffFactory, UserFactory
from tests.redis_server import free_port, gunicorn_own_control
from tests.worker import database_url

ROOT = Path(__file__).resolve().parents[2]
MiB = 1024 * 1024
NO_FILES = "Šī adrese nepieņem datnes un lielus datu apjomus."
CSRF = "a" * 32
CAMT = (ROOT / "tests" / "billing" / "fixtures" / "camt053_statement.xml").read_bytes()


def upload_url(eservice) -> str:
    return reverse("documents:upload_eservice", args=[eservice.pk])


# --- Django's test client -------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_large_post_to_sign_out_is_413_unread():
    response = HttpClient().post(
        reverse("accounts:logout"), {"files": samples.upload("x.pdf", bytes(300 * 1024))}
    )

    assert response.status_code == 413
    assert response["Connection"] == "close"
    assert NO_FILES in response.content.decode()


@pytest.mark.django_db
def test_signed_out_upload_to_an_upload_url_is_413(owner_client):
    eservice = EServiceFactory(client=owner_client)

    response = HttpClient().post(
        upload_url(eservice), {"files": samples.upload("a.pdf", samples.PDF + bytes(100_000))}
    )

    assert response.status_code == 413
    assert NO_FILES in response.content.decode()
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_url_without_files_refuses_a_large_body_from_a_signed_in_person(
    signed_in, owner, owner_client
):
    eservice = EServiceFactory(client=owner_client)

    response = signed_in(owner).post(
        reverse("eservices:label", args=[eservice.pk]), {"label": "x" * 70_000}
    )

    assert response.status_code == 413
    assert NO_FILES in response.content.decode()


@pytest.mark.django_db
def test_declared_length_over_the_request_limit_is_refused_before_reading(
    signed_in, owner, owner_client, settings
):
    eservice = EServiceFactory(client=owner_client)
    settings.UPLOAD_URL_LIMITS = {**settings.UPLOAD_URL_LIMITS, upload_url_name(): (MiB, 2)}

    # The body is 1 kB; the declared 400 MB would make the test client's payload fail if read.
    response = signed_in(owner).post(
        upload_url(eservice),
        {"files": samples.upload("a.pdf", samples.PDF)},
        CONTENT_LENGTH=str(400 * MiB),
    )

    assert response.status_code == 413
    assert (
        "Vienā reizē var iesniegt līdz 2 datnēm, katru mazāku par 1,0 MB, kopā ne vairāk kā "
        "2,1 MB. Nekas netika saglabāts."
    ) in " ".join(response.content.decode().split())  # (split() takes the no-break spaces too)


def upload_url_name() -> str:
    return "documents:upload_eservice"


@pytest.mark.django_db
def test_a_file_over_its_limit_is_cut_off_and_the_form_says_why(
    signed_in, owner, owner_client, settings
):
    eservice = EServiceFactory(client=owner_client)
    settings.UPLOAD_URL_LIMITS = {**settings.UPLOAD_URL_LIMITS, upload_url_name(): (100_000, 10)}
    http = signed_in(owner)

    response = http.post(
        upload_url(eservice),
        {
            "files": [
                samples.upload("mazs.pdf", samples.PDF),
                samples.upload("liels.pdf", samples.PDF + bytes(300_000)),
                samples.upload("vēl.pdf", samples.PDF),
            ]
        },
    )

    assert response.status_code == 303
    assert Document.objects.count() == 0
    assert http.session[SESSION_KEY]["errors"] == [
        "Datnei „liels.pdf” jābūt mazākai par 97,7\xa0KB."
    ]


@pytest.fixture
def accountant(db):
    from django.contrib.auth.models import Permission

    user = StaffFactory()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="billing"))
    return user


@pytest.mark.django_db
def test_admin_statement_over_its_limit_is_413_and_nothing_imported(accountant, settings):
    InvoiceFactory(number="R2026-900001")
    settings.UPLOAD_URL_LIMITS = {
        **settings.UPLOAD_URL_LIMITS,
        "admin:billing_bankstatement_add": (len(CAMT) // 2, 1),
    }
    http = HttpClient()
    http.force_login(accountant)

    response = http.post(
        reverse("admin:billing_bankstatement_add"),
        {"xml_file": samples.upload("izraksts.xml", CAMT, "application/xml")},
    )

    assert response.status_code == 413
    assert "Katrai datnei jābūt mazākai par" in response.content.decode()
    assert BankStatement.objects.count() == 0


@pytest.mark.django_db
def test_admin_upload_url_takes_only_a_small_body_from_someone_not_staff(signed_in, owner):
    response = signed_in(owner).post(
        reverse("admin:billing_bankstatement_add"),
        {"xml_file": samples.upload("izraksts.xml", CAMT + bytes(70_000), "application/xml")},
    )

    assert response.status_code == 413
    assert BankStatement.objects.count() == 0


@pytest.mark.django_db
def test_admin_upload_url_takes_only_a_small_body_from_staff_without_the_second_factor(
    accountant,
):
    from django_otp import DEVICE_ID_SESSION_KEY

    http = HttpClient()
    http.force_login(accountant)
    session = http.session
    del session[DEVICE_ID_SESSION_KEY]  # signed in with the password only
    session.save()

    response = http.post(
        reverse("admin:billing_bankstatement_add"),
        {"xml_file": samples.upload("izraksts.xml", CAMT + bytes(70_000), "application/xml")},
    )

    assert response.status_code == 413
    assert NO_FILES in response.content.decode()
    assert BankStatement.objects.count() == 0


@pytest.mark.django_db
def test_application_document_over_ten_mb_is_cut_off_and_named_on_the_form(signed_in):
    applicant = UserFactory()
    upload = samples.upload("liels.pdf", samples.PDF + bytes(AUTHORITY_DOCUMENT_MAX_BYTES))

    response = signed_in(applicant).post(
        reverse("accounts:application_create"),
        {"registration_number": "40003517893", "authority_document": upload},
    )

    assert response.status_code == 400
    assert "Dokumentam jābūt mazākam par 10,0\xa0MB." in response.content.decode()


@pytest.mark.django_db
def test_a_small_callback_body_still_reaches_the_view():
    response = HttpClient().post(
        reverse("billing:payment_callback"), b"x" * 60_000, content_type="application/json"
    )

    assert response.status_code in (400, 403)  # unsigned: refused by the view, not by the size


def test_every_url_that_takes_files_is_listed_with_the_limits_its_code_checks(settings):
    limits = settings.UPLOAD_URL_LIMITS

    assert limits["documents:upload_order"] == (
        settings.FILE_UPLOAD_MAX_BYTES,
        settings.FILE_UPLOAD_MAX_FILES,
    )
    assert limits["documents:upload_eservice"] == limits["documents:upload_order"]
    assert limits["accounts:application_create"] == (AUTHORITY_DOCUMENT_MAX_BYTES, 1)
    assert limits["admin:billing_bankstatement_add"] == (STATEMENT_MAX_BYTES, 1)
    for name in ("admin:orders_orderpart_change", "admin:eservices_eservice_change"):
        assert limits[name] == (settings.FILE_UPLOAD_MAX_BYTES, ResultUploadInline.max_num)
    for name in (
        "conversations:order",
        "conversations:eservice",
        "conversations:ask",
        "admin:conversations_thread_change",
        "admin:conversations_thread_add",
    ):
        assert limits[name] == (settings.FILE_UPLOAD_MAX_BYTES, MAX_ATTACHMENTS)
    for name in ("api-v1:upload_order_documents", "api-v1:upload_eservice_documents"):
        assert limits[name] == limits["documents:upload_order"]  # the API's uploads: the page's
    assert limits["api-v1:attach_results"] == limits["admin:orders_orderpart_change"]
    no_args = ("_add", "create", "conversations:ask")
    two_args = ("api-v1:attach_results",)  # order number and part number
    for name in limits:  # every name is a real URL (a typo would leave an upload at 64 kB)
        args = [] if any(part in name for part in no_args) else [1]
        assert reverse(name, args=[1, 1] if name in two_args else args)
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 64 * 1024
    assert settings.FILE_UPLOAD_HANDLERS[0] == "manskonts.uploads.LimitedUploadHandler"


# --- A real gunicorn ------------------------------------------------------------------------------


class TempDirWatch:
    """The largest total size of the files in `folder`, sampled every 2 ms while it runs."""

    def __init__(self, folder: Path):
        self.folder, self.peak, self._stop = folder, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            total = 0
            for entry in os.scandir(self.folder):
                with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
                    total += entry.stat().st_size
            self.peak = max(self.peak, total)
            time.sleep(0.002)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def attack(
    port: int,
    path: str,
    *,
    declared: int | None,
    send: int,
    cookie: str = "",
    chunked: bool = False,
) -> tuple[int | None, int]:
    """POST a multipart body of one file of `send` bytes to `path`, declaring `declared` bytes
    (None: no Content-Length). Returns (HTTP status or None if the server hung up without an
    answer, bytes the server took before it stopped reading)."""
    boundary = "----angrybody"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{CSRF}\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="files"; filename="liels.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    headers = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"Origin: http://127.0.0.1:{port}",
        f"Content-Type: multipart/form-data; boundary={boundary}",
    ]
    if declared is not None:
        headers.append(f"Content-Length: {declared}")
    if chunked:
        headers.append("Transfer-Encoding: chunked")
    # A CSRF cookie and its token, as anyone gets from any form, so Django reads the body.
    headers.append(f"Cookie: csrftoken={CSRF}" + (f"; sessionid={cookie}" if cookie else ""))
    block = bytes(MiB)
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=20) as conn:
        conn.sendall(("\r\n".join(headers) + "\r\n\r\n").encode())
        try:
            parts = [head] + [block] * (send // MiB) + [tail]
            for part in parts:
                conn.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n" if chunked else part)
                sent += len(part)
            if chunked:
                conn.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what it took is what matters
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_WR)
        answer = b""
        try:
            while b"\r\n" not in answer:
                data = conn.recv(4096)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    status = int(answer.split()[1]) if answer.startswith(b"HTTP/") else None
    return status, sent


@pytest.fixture(scope="module")
def static_manifest():
    """Production settings serve static files from the manifest, as the image builds it."""
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, **production_env(ROOT / "media")},
            check=True,
        )


def production_env(temp_dir: Path) -> dict[str, str]:
    return {
        "DEBUG": "0",
        # This process's key, so that the session it signs in is valid there.
        "SECRET_KEY": django_settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DEMO_IDP_ENABLED": "0",
        "PAYMENT_PROVIDER": "",
        "LOG_LEVEL": "WARNING",
        "FILE_UPLOAD_TEMP_DIR": str(temp_dir),
        "TMPDIR": str(temp_dir),  # anything else spooled to a temporary file counts too
        # A 5 MB file limit keeps the bodies small enough to send fast; the request limit is
        # then 10 files × 5 MB (+ 84 kB).
        "FILE_UPLOAD_MAX_BYTES": str(5 * MiB),
    }


@pytest.fixture
def gunicorn(static_manifest, reference_data, tmp_path):
    """gunicorn as the image runs it (gunicorn.conf.py, production settings), one worker, on
    this test run's database; yields (port, temp dir, log path)."""
    temp_dir = tmp_path / "upload-tmp"
    temp_dir.mkdir()
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    env = {
        **os.environ,
        **production_env(temp_dir),
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                "gunicorn.conf.py",
                "manskonts.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                *gunicorn_own_control(),
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.1)
            yield port, temp_dir, log_path
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


@pytest.fixture
def session_cookie(owner):
    http = HttpClient()
    http.force_login(owner)
    return http.cookies["sessionid"].value


@pytest.mark.fault
class TestAgainstGunicorn:
    def test_a_thirty_mb_file_against_the_five_mb_limit_writes_at_most_five(
        self, gunicorn, owner_client, session_cookie
    ):
        port, temp_dir, log = gunicorn
        eservice = EServiceFactory(client=owner_client)

        with TempDirWatch(temp_dir) as watch:
            status, _sent = attack(
                port,
                upload_url(eservice),
                declared=30 * MiB + 400,
                send=30 * MiB,
                cookie=session_cookie,
            )

        assert watch.peak <= 5 * MiB + 256 * 1024, log.read_text()
        # The rest was read and dropped, so the person is sent back to the form with a message.
        assert status == 303, log.read_text()
        assert Document.objects.count() == 0
        assert list(temp_dir.iterdir()) == []

    def test_a_declared_400_mb_upload_is_413_before_a_byte_is_written(
        self, gunicorn, owner_client, session_cookie
    ):
        port, temp_dir, log = gunicorn
        eservice = EServiceFactory(client=owner_client)

        with TempDirWatch(temp_dir) as watch:
            status, sent = attack(
                port,
                upload_url(eservice),
                declared=400 * MiB,
                send=40 * MiB,
                cookie=session_cookie,
            )

        assert watch.peak == 0, log.read_text()
        assert status in (413, None), log.read_text()  # 413, or reset while still sending
        assert sent < 40 * MiB

    def test_an_anonymous_300_mb_post_to_sign_out_writes_nothing(self, gunicorn):
        port, temp_dir, log = gunicorn

        with TempDirWatch(temp_dir) as watch:
            status, sent = attack(
                port, reverse("accounts:logout"), declared=300 * MiB, send=40 * MiB
            )

        assert watch.peak == 0, log.read_text()
        assert status in (413, None), log.read_text()
        assert sent < 40 * MiB

    def test_a_signed_out_upload_within_the_signed_in_limit_writes_nothing(
        self, gunicorn, owner_client
    ):
        port, temp_dir, log = gunicorn
        eservice = EServiceFactory(client=owner_client)

        with TempDirWatch(temp_dir) as watch:
            status, _sent = attack(port, upload_url(eservice), declared=4 * MiB + 400, send=4 * MiB)

        assert watch.peak == 0, log.read_text()
        assert status in (413, None), log.read_text()

    @pytest.mark.parametrize(
        ("declared", "chunked"), [(None, True), (MiB, False)], ids=["chunked", "lying-length"]
    )
    def test_chunked_or_lying_length_reads_no_more_than_declared(
        self, gunicorn, owner_client, session_cookie, declared, chunked
    ):
        port, temp_dir, log = gunicorn
        eservice = EServiceFactory(client=owner_client)

        with TempDirWatch(temp_dir) as watch:
            status, _sent = attack(
                port,
                upload_url(eservice),
                declared=declared,
                send=30 * MiB,
                cookie=session_cookie,
                chunked=chunked,
            )

        assert watch.peak <= MiB, log.read_text()
        assert status is None or status < 500, log.read_text()
        assert Document.objects.count() == 0
