"""The client API's uploads (scope documents:write): the same part choice, validation, signature
check and storage as the page's form (documents.uploads.accept_upload), under the same size limits
(settings.UPLOAD_URL_LIMITS; manskonts/uploads.py asks api.auth.may_upload before the body is
read). A refusal is a problem with the page's sentences, and nothing is stored."""

from ninja import File, Form, Path, Router, Schema
from ninja.files import UploadedFile

from api.auth import audited, need_scope
from api.endpoints import ERRORS, ORDER_NUMBER, _document
from api.idempotency import idempotent
from api.listing import json_response
from api.models import Scope
from api.problems import Problem, not_found
from api.schemas import DocumentOut, ProblemOut
from documents.uploads import (
    FILES_FIELD,
    accept_upload,
    choose_part,
    closed_eservice_reason,
    closed_part_reason,
    overflow_message,
)
from eservices.models import EService
from orders.models import Order

router = Router()

UPLOAD_ERRORS = {**ERRORS, 409: ProblemOut, 413: ProblemOut, 422: ProblemOut}
FILES_DESCRIPTION = (
    f"One or more files (field `{FILES_FIELD}`), each at most FILE_UPLOAD_MAX_BYTES, at most "
    "FILE_UPLOAD_MAX_FILES in one request; the formats the page takes."
)


class UploadOut(Schema):
    items: list[DocumentOut]


def refuse_overflow(request) -> None:
    """An upload the handler cut off (a file or the request over its limit, too many files)."""
    overflow = getattr(request, "upload_overflow", None)
    if overflow is not None:
        message = overflow_message(overflow)
        raise Problem(413, "upload_too_large", message, errors={FILES_FIELD: [message]})


def _stored(request, files, *, part_errors, signature_required, **target):
    with audited(request):
        documents, errors = accept_upload(
            request,
            files or [],
            part_errors=part_errors,
            signature_required=signature_required,
            **target,
        )
    if errors:
        file_errors = [e for e in errors if e not in part_errors]
        found = {"part": part_errors, FILES_FIELD: file_errors}
        raise Problem(
            400,
            "upload_refused",
            " ".join(errors),
            errors={name: messages for name, messages in found.items() if messages},
        )
    for document in documents:
        document.order_part = target.get("order_part")
    return json_response(UploadOut, {"items": [_document(d) for d in documents]}, status=201)


@router.post(
    "/orders/{number}/documents",
    response={201: UploadOut, **UPLOAD_ERRORS},
    tags=["datnes"],
)
@idempotent
def upload_order_documents(
    request,
    number: str = ORDER_NUMBER,
    part: int | None = Form(None, ge=1, le=32767, description="The part's number"),
    files: File[list[UploadedFile]] = None,
):
    """Submit documents to an order's part (`part`: its number; may be left out when the order
    has one part), as the order page's form does: all files stored or none."""
    need_scope(request, Scope.DOCUMENTS_WRITE)
    order = Order.objects.for_client(request.client).filter(number=number).first()
    if order is None:
        return not_found(request)
    refuse_overflow(request)
    parts = list(order.parts.select_related("service", "order").order_by("part_number"))
    chosen, part_errors = choose_part(parts, "" if part is None else str(part))
    if chosen is not None and not chosen.accepts_documents:
        raise Problem(409, "documents_closed", closed_part_reason(chosen))
    return _stored(
        request,
        files,
        part_errors=part_errors,
        signature_required=chosen is not None and chosen.service.signature_required,
        order_part=chosen,
    )


@router.post(
    "/eservices/{eservice_id}/documents",
    response={201: UploadOut, **UPLOAD_ERRORS},
    tags=["datnes"],
)
@idempotent
def upload_eservice_documents(
    request,
    eservice_id: int = Path(..., ge=1, le=2**31 - 1),
    files: File[list[UploadedFile]] = None,
):
    """Submit documents to an e-service, as its page's form does: all files stored or none."""
    need_scope(request, Scope.DOCUMENTS_WRITE)
    eservice = (
        EService.objects.for_client(request.client)
        .select_related("service")
        .filter(pk=eservice_id)
        .first()
    )
    if eservice is None:
        return not_found(request)
    refuse_overflow(request)
    if not eservice.accepts_documents:
        raise Problem(409, "documents_closed", closed_eservice_reason(eservice))
    return _stored(
        request,
        files,
        part_errors=[],
        signature_required=eservice.service.signature_required,
        eservice=eservice,
    )
