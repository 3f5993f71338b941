"""Idempotency-Key on the API's POSTs: a retried request (same token, key and body) within 24 hours
gets the answer the first one got, and does nothing again; the same key with another body is a
422; the same key while the first is still running is a 409."""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import IdempotentRequest
from api.problems import Problem

HEADER = "Idempotency-Key"
KEPT = timedelta(hours=24)
MAX_KEY = 255


def _fingerprint(request) -> str:
    """SHA-256 of method, path, query and body; a multipart body (an upload, parsed by then and
    never all in memory) by its fields and each file's name and content, read in chunks."""
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode() + b"\0")
    if request.content_type != "multipart/form-data":
        digest.update(request.body)
        return digest.hexdigest()
    for name, values in sorted(request.POST.lists()):
        for value in values:
            digest.update(f"field\0{name}\0{value}\0".encode())
    if getattr(request, "upload_overflow", None) is not None:
        digest.update(b"overflow\0")  # cut off: its files were not kept to be read
    for name, files in sorted(request.FILES.lists()):
        for upload in files:
            digest.update(f"file\0{name}\0{upload.name}\0{upload.size}\0".encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _replay(record: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        bytes(record.body), status=record.status, content_type=record.content_type
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _owner(request) -> dict:
    """Whose keys: the client's token, or the back-office service account."""
    account = getattr(request, "service_account", None)
    if account is not None:
        return {"service_account": account}
    return {"token": request.api_token}


def idempotent(view):
    """For a ninja POST or PUT operation (after authentication: request.api_token or
    request.service_account is set)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(request, *args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY or not key.isascii():
            raise Problem(
                400,
                "invalid_idempotency_key",
                _("Idempotency-Key ir 1–255 ASCII rakstzīmes."),
            )
        owner = _owner(request)
        fingerprint = _fingerprint(request)
        IdempotentRequest.objects.filter(
            **owner, key=key, created_at__lt=timezone.now() - KEPT
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(**owner, key=key, fingerprint=fingerprint)
        except IntegrityError:
            record = IdempotentRequest.objects.get(**owner, key=key)
            if record.fingerprint != fingerprint:
                raise Problem(
                    422,
                    "idempotency_key_reused",
                    _("Šī Idempotency-Key jau izmantota citam pieprasījumam."),
                ) from None
            if record.status is None:
                raise Problem(
                    409,
                    "idempotency_in_progress",
                    _("Pieprasījums ar šo Idempotency-Key vēl tiek apstrādāts."),
                ) from None
            return _replay(record)
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            record.delete()  # not answered: a retry may try again
            raise
        if getattr(response, "streaming", False) or response.status_code >= 500:
            record.delete()
            return response
        record.status = response.status_code
        record.content_type = response.get("Content-Type", "")
        record.body = response.content
        record.save(update_fields=["status", "content_type", "body"])
        return response

    return wrapper
