"""How much a request may send, refused before it is read to disk.

Only the URLs in `settings.UPLOAD_URL_LIMITS` take files, each with its largest file and most
files; staff URLs (the admin's) only for active staff past the second factor, the others only for
a signed-in person.
Every other request, and every signed-out one, may send at most DATA_UPLOAD_MAX_MEMORY_SIZE
(64 kB) and no file, which Django keeps in memory: it never reaches disk.

Two guards, both needed:

- `BodyLimitMiddleware` refuses a request whose declared Content-Length passes the limit for its
  URL with a Latvian 413 page before anything reads the body (gunicorn then drops the rest);
- `LimitedUploadHandler`, first of FILE_UPLOAD_HANDLERS, counts what actually arrives and stops
  the upload as soon as one file passes its limit, the request passes its total, or there are
  more files than allowed: what was written so far (at most one limit's worth) is deleted, and
  the rest is never written. A chunked body without Content-Length is never read at all (Django
  reads Content-Length bytes), and a lying one only shortens what is read.

Where the handler stopped an upload, `request.upload_overflow` says why; a view decorated with
`@reports_upload_limits` shows that on its form (documents/uploads.py), for every other view the
middleware answers 413 before the view runs, so a cut-off form is never saved half.

A caller that is not a signed-in session user (the API's token requests: no cookies, so no
`request.user` yet when the body is read) may upload only where an app above registered who may:
`register_uploader(namespace, may_upload)` for the URL names `namespace:…` in UPLOAD_URL_LIMITS
(api/apps.py registers its token check). Those views report an overflow themselves.

In production the reverse proxy refuses bodies over the largest upload first (nginx
`client_max_body_size 501m;`, README).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

from manskonts.templatetags.manskonts import file_size

# Room in an upload request for its form fields and each part's headers.
PART_HEADERS_BYTES = 2048
# A request naming more files than this is cut off where it stands (the count is then unknown).
FILES_BACKSTOP = 100
STAFF_PREFIX = "admin:"


@dataclass(frozen=True)
class UploadLimits:
    file_bytes: int  # largest file
    max_files: int  # most files in one request (0: the URL takes none)
    request_bytes: int  # largest body

    @classmethod
    def small(cls) -> UploadLimits:
        return cls(file_bytes=0, max_files=0, request_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


@dataclass(frozen=True)
class UploadOverflow:
    """Why the handler stopped reading an upload."""

    reason: str  # "file" (one file too big), "files" (too many files), "request"
    limits: UploadLimits
    file_name: str = ""
    files_seen: int = 0  # when reason is "files": how many were sent, if known
    counted_all: bool = True  # False when the request was cut off at FILES_BACKSTOP


# URL namespace -> may_upload(request): whether this caller may send files there (register_uploader).
_UPLOADERS: dict[str, Callable[[HttpRequest], bool]] = {}


def register_uploader(namespace: str, may_upload: Callable[[HttpRequest], bool]) -> None:
    """The URLs `namespace:…` of UPLOAD_URL_LIMITS take files from a caller `may_upload` accepts
    (asked before the body is read), instead of from a signed-in session user; their views read
    `request.upload_overflow` themselves. Called from an app's AppConfig.ready."""
    _UPLOADERS[namespace] = may_upload


def _uploader(view_name: str) -> Callable[[HttpRequest], bool] | None:
    namespace, colon, _rest = view_name.partition(":")
    return _UPLOADERS.get(namespace) if colon else None


def limits_for(request: HttpRequest) -> UploadLimits:
    """The limits of this request's URL for this person; small unless the URL takes files and
    the person may use it (signed in, and staff for the admin's URLs)."""
    cached = getattr(request, "_upload_limits", None)
    if cached is not None:
        return cached
    limits = UploadLimits.small()
    try:
        view_name = resolve(request.path_info).view_name
    except Resolver404:
        view_name = ""
    allowed = settings.UPLOAD_URL_LIMITS.get(view_name)
    if allowed is not None:
        uploader = _uploader(view_name)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated and user.is_active
        if uploader is not None:
            permitted = uploader(request)
        else:
            permitted = signed_in and (
                not view_name.startswith(STAFF_PREFIX) or (user.is_staff and staff_ready(request))
            )
        if permitted:
            file_bytes, max_files = allowed
            limits = UploadLimits(
                file_bytes=file_bytes,
                max_files=max_files,
                request_bytes=file_bytes * max_files
                + settings.DATA_UPLOAD_MAX_MEMORY_SIZE
                + PART_HEADERS_BYTES * max_files,
            )
    request._upload_limits = limits
    return limits


def staff_ready(request: HttpRequest) -> bool:
    """Whether this staff member has finished signing in (the second factor), as the hook named
    by settings.UPLOAD_STAFF_READY says (accounts/two_factor.py); a password alone is not
    enough to send the admin a large file."""
    hook = getattr(settings, "UPLOAD_STAFF_READY", "")
    return import_string(hook)(request) if hook else True


def declared_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # as Django: an unreadable Content-Length reads no body


def too_large(request: HttpRequest, limits: UploadLimits, overflow=None) -> HttpResponse:
    """The Latvian 413 page; the connection is closed, since the body is left unread."""
    if overflow is not None and overflow.reason == "file":
        reason = "file"
    elif overflow is not None and overflow.reason == "files":
        reason = "files"
    elif limits.max_files:
        reason = "request"
    else:
        reason = "no_files"
    response = render(
        request,
        "413.html",
        {
            "reason": reason,
            "file_limit": file_size(limits.file_bytes),
            "max_files": limits.max_files,
            "request_limit": file_size(limits.request_bytes),
        },
        status=413,
    )
    response["Connection"] = "close"
    return response


def reports_upload_limits(view):
    """Mark a view that reads `request.upload_overflow` and shows the refusal on its own form."""
    view.reports_upload_limits = True
    return view


class BodyLimitMiddleware:
    """Refuse by Content-Length before the body is read; after parsing, refuse a cut-off upload
    for views that do not report it themselves. Place it after AuthenticationMiddleware (it asks
    who is signed in only for the URLs that take files)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        length = declared_length(request)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            limits = limits_for(request)
            if length > limits.request_bytes:
                return too_large(request, limits)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not limits_for(request).max_files:
            return None
        request.POST  # noqa: B018 — parse now (CSRF may have already), through the handler
        overflow = getattr(request, "upload_overflow", None)
        match = getattr(request, "resolver_match", None)
        reports = getattr(view_func, "reports_upload_limits", False) or (
            match is not None and _uploader(match.view_name) is not None
        )
        if overflow is not None and not reports:
            return too_large(request, overflow.limits, overflow)
        return None


class LimitedUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts every file's bytes and the files, and stops the
    upload before the next handler writes a byte past a limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limits = limits_for(self.request)
        self.total = 0
        self.files = 0
        self.file_name = ""
        self.file_bytes = 0

    def _stop(self, reason: str, *, connection_reset: bool, **details) -> None:
        self.request.upload_overflow = UploadOverflow(reason, self.limits, **details)
        # Without connection reset Django reads the rest of the declared body (at most the
        # request limit, already checked) and writes none of it, so the person gets the page.
        raise StopUpload(connection_reset=connection_reset)

    def new_file(self, field_name, file_name, *args, **kwargs):
        self.files += 1
        self.file_name = file_name
        self.file_bytes = 0
        if self.files > FILES_BACKSTOP:
            self._stop("files", connection_reset=False, files_seen=self.files, counted_all=False)
        if self.files > self.limits.max_files:
            # Counted to tell the person how many they sent; none of them is stored.
            self.request.upload_overflow = UploadOverflow(
                "files", self.limits, files_seen=self.files
            )
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        self.file_bytes += len(raw_data)
        self.total += len(raw_data)
        if self.total > self.limits.request_bytes:
            self._stop("request", connection_reset=True)
        if self.file_bytes > self.limits.file_bytes:
            self._stop("file", connection_reset=False, file_name=self.file_name)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler keeps the file
