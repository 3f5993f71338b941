"""S3-compatible storage, against moto in server mode over HTTP on 127.0.0.1: uploads land in the
bucket under generated keys, downloads are a pre-signed URL living ≤ 60 s issued only after the
access check, and the purge deletes objects from the bucket."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Document
from documents.services import purge_expired_files
from tests.documents import samples

pytestmark = pytest.mark.django_db

BUCKET = "manskonts-test"


@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_server, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="eu-north-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        # The same options as production (manskonts/settings.py), pointed at the local server.
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "eu-north-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        },
    }
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def upload(http, eservice, *files):
    return http.post(reverse("documents:upload_eservice", args=[eservice.pk]), {"files": files})


def test_s3_upload_download_through_a_presigned_url(s3, signed_in, owner, owner_eservice):
    http = signed_in(owner)
    upload(http, owner_eservice, samples.upload("../../plāns.pdf", samples.PDF))
    document = Document.objects.get()
    assert keys(s3) == [document.file.name]
    assert "plāns" not in document.file.name

    response = http.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"http://127.0.0.1:{urlsplit(location).port}/{BUCKET}/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"] == [
        "attachment; filename=\"plans.pdf\"; filename*=UTF-8''pl%C4%81ns.pdf"
    ]
    with urllib.request.urlopen(location) as fetched:  # noqa: S310 — local moto server
        assert fetched.read() == samples.PDF
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert fetched.headers["Content-Type"] == "application/octet-stream"


def test_s3_object_is_private_without_a_signature(s3, s3_server, signed_in, owner, owner_eservice):
    upload(signed_in(owner), owner_eservice, samples.upload("a.pdf", samples.PDF))
    key = Document.objects.get().file.name

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server}/{BUCKET}/{key}")  # noqa: S310 — local moto server

    assert refused.value.code == 403


def test_s3_no_url_for_someone_else(s3, signed_in, owner, outsider, owner_eservice):
    upload(signed_in(owner), owner_eservice, samples.upload("a.pdf", samples.PDF))
    document = Document.objects.get()

    response = signed_in(outsider).get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 404
    assert "X-Amz" not in response.content.decode()


def test_s3_no_url_for_an_unpaid_result(s3, signed_in, owner, unpaid_order):
    from django.core.files.base import ContentFile

    document = Document(
        original_name="izziņa.pdf",
        size=len(samples.PDF),
        content_type="application/pdf",
        direction=Document.Direction.RESULT,
        order_part=unpaid_order.parts.get(),
    )
    document.file.save("x", ContentFile(samples.PDF))

    response = signed_in(owner).get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 403
    assert "Location" not in response


def test_s3_results_zip_streams_from_the_bucket(s3, signed_in, owner, paid_order):
    import io
    import zipfile

    from django.core.files.base import ContentFile

    document = Document(
        original_name="izziņa.pdf",
        size=len(samples.PDF),
        content_type="application/pdf",
        direction=Document.Direction.RESULT,
        order_part=paid_order.parts.get(),
    )
    document.file.save("x", ContentFile(samples.PDF))

    response = signed_in(owner).get(reverse("documents:results_zip", args=[paid_order.number]))

    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.read("izziņa.pdf") == samples.PDF


def test_s3_purge_deletes_the_object_and_keeps_the_record(s3, signed_in, owner, owner_eservice):
    upload(signed_in(owner), owner_eservice, samples.upload("a.pdf", samples.PDF))
    Document.objects.update(uploaded_at=timezone.now() - timedelta(days=91))

    report = purge_expired_files()

    assert report.purged == 1
    assert keys(s3) == []
    assert Document.objects.get().is_deleted


def test_s3_download_of_an_object_missing_from_the_bucket_says_so(
    s3, signed_in, owner, owner_eservice
):
    """No pre-signed URL to an S3 404 page: the portal says the file is no longer there."""
    http = signed_in(owner)
    upload(http, owner_eservice, samples.upload("a.pdf", samples.PDF))
    document = Document.objects.get()
    s3.delete_object(Bucket=BUCKET, Key=document.file.name)

    response = http.get(reverse("documents:download", args=[document.pk]))

    assert response.status_code == 410
    assert "Datne vairs nav pieejama" in response.content.decode()


def test_s3_healthz_only_reads_the_bucket(s3, client):
    """Issue 11, point 9: /healthz used to PUT and DELETE an object on every call."""
    from django.core.files.storage import default_storage

    calls: list[str] = []
    events = default_storage.connection.meta.client.meta.events
    events.register("before-call.s3", lambda model, **kwargs: calls.append(model.name))

    for _ in range(3):
        response = client.get(reverse("healthz"))
        assert (response.status_code, response.json()["checks"]["storage"]) == (200, "ok")

    assert calls == ["HeadBucket"] * 3
    assert keys(s3) == []


def test_s3_healthz_reports_a_missing_bucket(s3, client, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such"},
        },
    }

    response = client.get(reverse("healthz"))

    assert (response.status_code, response.json()["checks"]["storage"]) == (503, "down")
