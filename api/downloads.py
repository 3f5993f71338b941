"""How the API hands out a stored file, for the client's and the back office's downloads alike:
the OpenAPI declaration of the answer and the answer itself, as the admin hands it out."""

from django.utils.translation import gettext as _

from api.problems import Problem
from manskonts.storage import stored_file_response

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
    """A stored file under its original `name` as manskonts.storage.stored_file_response hands
    it out (a pre-signed redirect or the bytes); no file, or gone from storage, is 410
    `file_missing` saying `missing` (by default that it was deleted from storage)."""
    response = stored_file_response(stored, name)
    if response is None:
        missing = missing or _("Datne vairs nav pieejama: tā ir dzēsta no glabātuves.")
        raise Problem(410, "file_missing", missing)
    return response
