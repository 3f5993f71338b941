"""Where document bytes live: Django's default storage (local disk, or S3-compatible in production).

Keys are generated (`documents.models.storage_key`), never the client's file name. Downloads from
S3 are a redirect to a pre-signed URL that lives `querystring_expire` seconds (60), issued only
after the access check.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.core.files.storage import Storage, default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect

from manskonts.validation import safe_display_name

PRESIGNED_URL_SECONDS = 60


def content_disposition(name: str) -> str:
    """`attachment` with an RFC 6266 filename: an ASCII fallback and the UTF-8 name (RFC 5987)."""
    shown = safe_display_name(name)
    ascii_name = unicodedata.normalize("NFKD", shown).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._() -]", "_", ascii_name).strip() or "datne"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(shown, safe='')}"


def is_object_storage(storage: Storage | None = None) -> bool:
    """True for S3-compatible storage (django-storages), where downloads are pre-signed URLs."""
    storage = storage or default_storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "querystring_expire")


def presigned_download_url(name: str, display_name: str, storage: Storage | None = None) -> str:
    """A URL that serves the object as an attachment for PRESIGNED_URL_SECONDS, not longer."""
    storage = storage or default_storage
    return storage.url(
        name,
        parameters={
            "ResponseContentDisposition": content_disposition(display_name),
            "ResponseContentType": "application/octet-stream",
            "ResponseCacheControl": "private, no-store",
        },
        expire=min(PRESIGNED_URL_SECONDS, getattr(storage, "querystring_expire", 60)),
    )


def delete_stored(name: str, storage: Storage | None = None) -> None:
    """Delete one object. A missing object is not an error (a re-run after a crash finds it gone);
    any other storage failure propagates so the caller leaves the record for the next run."""
    if not name:
        return
    (storage or default_storage).delete(name)


def is_stored(name: str, storage: Storage | None = None) -> bool:
    """Whether the object is really there (a HEAD request on S3, a stat on disk). A download asks
    first, so a record whose file went missing (a purge killed mid-batch, a lost bucket object) is
    shown as unavailable instead of failing with a 500 or an S3 error page."""
    if not name:
        return False
    return (storage or default_storage).exists(name)


def open_stored(name: str, storage: Storage | None = None):
    """The object opened for reading, or None when it is missing from storage."""
    if not is_stored(name, storage):
        return None
    try:
        return (storage or default_storage).open(name, "rb")
    except FileNotFoundError:  # deleted between the check and the open
        return None


def stored_file_response(stored, name: str) -> HttpResponse | None:
    """A stored file (a FieldFile) handed out under its original `name` with the private headers:
    from object storage a redirect to a pre-signed URL, else the bytes as an attachment. None when
    there is no file or it is missing from storage (the caller says so in its own way)."""
    if not stored:
        return None
    if is_object_storage(stored.storage):
        if not is_stored(stored.name, stored.storage):
            return None
        response: HttpResponse = HttpResponseRedirect(presigned_download_url(stored.name, name))
    else:
        source = open_stored(stored.name, stored.storage)
        if source is None:
            return None
        response = FileResponse(source, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
