"""How the API hands out a stored file, for the client's and the back office's downloads alike:
the OpenAPI declaration of the answer and the answer itself, with the pages' and the admin's
headers."""

from django.http import FileResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from api.problems import Problem
from manskonts.storage import (
    content_disposition,
    is_object_storage,
    is_stored,
    open_stored,
    presigned_download_url,
)

FILE_RESPONSES = {
    "responses": {
        200: {
            "description": "The file",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        },
        302: {"description": "A pre-signed object storage URL, valid a minute"},
    }
}


def serve_stored(stored, name: str, missing: str | None = None):
    """A stored file under its original `name`: from object storage a pre-signed redirect, else
    the bytes as an attachment; no file, or gone from storage, is 410 `file_missing` (saying
    `missing`, by default that it was deleted from storage)."""
    gone = Problem(
        410, "file_missing", missing or _("Datne vairs nav pieejama: tā ir dzēsta no glabātuves.")
    )
    if not stored:
        raise gone
    if is_object_storage(stored.storage):
        if not is_stored(stored.name, stored.storage):
            raise gone
        response = HttpResponseRedirect(presigned_download_url(stored.name, name))
    else:
        source = open_stored(stored.name, stored.storage)
        if source is None:
            raise gone
        response = FileResponse(source, content_type="application/octet-stream")
        response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
