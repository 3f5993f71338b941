"""VZD's requests to the client through the client API: the list and one request as the client's
pages show them (requisitions.client: visible_to, awaiting, with_everything, describe), and the
answer (scope messages:write) through the answer page's own form, file checks and services
(requisitions.forms.AnswerForm and check_answer_files, services.save_draft and submit_answer),
saved and submitted in one call, all or nothing."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from ninja import Field, Path, Query, Router, Schema

from api.auth import audited, need_scope
from api.client_writes import invalid_values
from api.endpoints import ERRORS, Paging, _document, _sort
from api.endpoints import _invalid_choice as invalid_choice
from api.idempotency import idempotent
from api.listing import api_page, etag_response, json_response, page_meta
from api.models import Scope
from api.problems import Problem, not_found
from api.schemas import DocumentOut, PageMeta, ProblemOut
from api.uploads import refuse_overflow
from documents.models import Document
from manskonts.listing import SortChoices, SortOption
from manskonts.storage import delete_stored
from requisitions import client as client_side
from requisitions import services
from requisitions.forms import AnswerForm, check_answer_files, files_field, text_field
from requisitions.models import Request, RequestEvent, RequestItem
from requisitions.workflow import RequestState

router = Router()

TAG = "pieprasījumi"
STATES = dict(RequestState.choices)
ACTIONS = dict(RequestEvent.Action.choices)
# Newest first, as the order's and e-service's pages list them; by deadline, as the overview's box.
REQUEST_SORTS = SortChoices(
    [
        SortOption("raised", "raised", ("raised_at", "id")),
        SortOption("deadline", "deadline", ("deadline", "id")),
    ],
    default="-raised",
)
REQUEST_ID = Path(..., ge=1, le=2**63 - 1)


# --- schemas ----------------------------------------------------------------------------------------
class RequestOut(Schema):
    id: int
    text: str = Field(description="What VZD needs")
    deadline: date
    days_left: str | None = Field(description="While awaiting the answer: the days left in words")
    state: str
    state_label: str
    raised_at: datetime
    order_number: str | None
    part_number: int | None
    eservice_id: int | None
    awaiting_answer: bool
    can_answer: bool
    refusal: str | None = Field(description="Why it cannot be answered now (the page's words)")


class RequestPage(PageMeta):
    items: list[RequestOut]


class RequestItemOut(Schema):
    id: int
    name: str
    kind: str = Field(description="file (answered with files) or information (text or files)")
    signed_required: bool = Field(description="Its files must be validly e-signed")
    field: str = Field(description="The answer's multipart field for it")


class AnswerEntryOut(Schema):
    item_id: int
    text: str
    documents: list[DocumentOut]


class AnswerOut(Schema):
    id: int
    message: str
    submitted_at: datetime | None
    items: list[AnswerEntryOut]


class EventOut(Schema):
    action: str
    action_label: str
    at: datetime
    deadline: date | None = Field(description="The new deadline (extended)")
    note: str | None = Field(description="What VZD asked again, why it terminated")


class RequestDetailOut(RequestOut):
    items: list[RequestItemOut]
    asked_again: list[EventOut]
    answers: list[AnswerOut] = Field(description="The answers submitted, oldest first")
    draft_started_at: datetime | None = Field(description="A draft begun on the page, if any")
    history: list[EventOut]


# --- reading ----------------------------------------------------------------------------------------
def _request(r: Request) -> dict:
    part = r.order_part if r.order_part_id else None
    return {
        "id": r.pk,
        "text": r.text,
        "deadline": r.deadline,
        "days_left": r.days_text or None,
        "state": r.state,
        "state_label": str(STATES.get(r.state, r.state)),
        "raised_at": r.raised_at,
        "order_number": part.order.number if part else None,
        "part_number": part.part_number if part else None,
        "eservice_id": r.eservice_id,
        "awaiting_answer": r.awaiting,
        "can_answer": r.can_answer,
        "refusal": r.refusal or None,
    }


def _event(e: RequestEvent) -> dict:
    shown_note = e.note and e.action != RequestEvent.Action.RAISED  # the text is the request's
    return {
        "action": e.action,
        "action_label": str(ACTIONS.get(e.action, e.action)),
        "at": e.at,
        "deadline": e.deadline if e.action == RequestEvent.Action.EXTENDED else None,
        "note": e.note if shown_note else None,
    }


def _item_field(item: RequestItem) -> str:
    return files_field(item) if item.kind == RequestItem.Kind.FILE else text_field(item)


def _detail(r: Request) -> dict:
    data = _request(r)
    data["items"] = [
        {
            "id": i.pk,
            "name": i.name,
            "kind": i.kind,
            "signed_required": i.signed_required,
            "field": _item_field(i),
        }
        for i in r.items.all()
    ]
    data["asked_again"] = [_event(e) for e in r.asked_again]
    data["answers"] = [
        {
            "id": a.pk,
            "message": a.message,
            "submitted_at": a.submitted_at,
            "items": [
                {
                    "item_id": entry.item_id,
                    "text": entry.text,
                    "documents": [_document(d) for d in entry.files],
                }
                for entry in a.entries.values()
            ],
        }
        for a in r.submitted_answers
    ]
    data["draft_started_at"] = r.draft.created_at if r.draft is not None else None
    data["history"] = [_event(e) for e in r.history]
    return data


class RequestQuery(Paging):
    sort: str | None = _sort(REQUEST_SORTS, REQUEST_SORTS.default)
    state: str | None = Field(None, json_schema_extra={"enum": list(STATES)})
    open: bool = Field(
        False, description="Only those awaiting the client's answer (the overview's box)"
    )
    order: str | None = Field(None, max_length=20, pattern=r"^[0-9A-Za-z-]+$")
    eservice: int | None = Field(None, ge=1, le=2**31 - 1)


@router.get("/requests", response={200: RequestPage, **ERRORS}, tags=[TAG])
def list_requests(request, q: Query[RequestQuery]):
    """VZD's requests to the client, newest first (`sort=deadline` with `open=true`: the
    overview's box "Jums jārīkojas")."""
    need_scope(request, Scope.READ)
    base = client_side.awaiting if q.open else client_side.visible_to
    queryset = client_side.with_everything(base(request.client))
    if q.state:
        if q.state not in STATES:
            message = invalid_choice()
            raise Problem(400, "invalid_filter", message, errors={"state": [message]})
        queryset = queryset.filter(state=q.state)
    if q.order:
        queryset = queryset.filter(order_part__order__number=q.order)
    if q.eservice:
        queryset = queryset.filter(eservice_id=q.eservice)
    page, _fs = api_page(
        request, None, queryset, REQUEST_SORTS, {}, sort=q.sort, cursor=q.cursor, limit=q.limit
    )
    return {**page_meta(page), "items": [_request(client_side.describe(r)) for r in page.rows]}


def _load(request, request_id: int) -> Request | None:
    found = (
        client_side.with_everything(client_side.visible_to(request.client))
        .filter(pk=request_id)
        .first()
    )
    return client_side.describe(found) if found is not None else None


@router.get(
    "/requests/{request_id}", response={200: RequestDetailOut, 304: None, **ERRORS}, tags=[TAG]
)
def get_client_request(request, request_id: int = REQUEST_ID):
    """One request as its page shows it: what is needed, the checklist, the deadline, the answers
    submitted with their files, and its history."""
    need_scope(request, Scope.READ)
    found = _load(request, request_id)
    if found is None:
        return not_found(request)
    return etag_response(request, RequestDetailOut, _detail(found))


# --- answering --------------------------------------------------------------------------------------
ANSWER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"message": {"type": "string", "maxLength": 5000}},
                    "additionalProperties": True,
                    "description": (
                        "The answer page's fields: `message` (optional), and for each point of "
                        "the request its `field` (see the request's items): `item_<id>_text` "
                        "for information, `item_<id>_files` (one or more files) for a file"
                    ),
                }
            }
        },
    }
}


def _answer_refused(detail) -> Problem:
    return Problem(409, "answer_refused", detail)


def _save_and_submit(request, req: Request, form: AnswerForm, files: dict) -> None:
    """save_draft and submit_answer in one transaction: a refusal of the submit (a point not
    answered, settled meanwhile) leaves nothing, and the files this call wrote are deleted."""
    kept = set(
        Document.objects.filter(answer_items__answer__request=req).values_list("pk", flat=True)
    )
    written: list[str] = []
    try:
        with transaction.atomic(), audited(request):
            answer = services.save_draft(
                req,
                by=request.user,
                message=form.cleaned_data["message"],
                texts=form.texts(),
                files=files,
            )
            try:
                services.submit_answer(req, by=request.user)
            except ValidationError:
                written = list(
                    Document.objects.filter(answer_items__answer=answer)
                    .exclude(pk__in=kept)
                    .values_list("file", flat=True)
                )
                raise
    except ValidationError:
        for name in written:
            delete_stored(name)
        raise


@router.post(
    "/requests/{request_id}/answer",
    response={201: RequestDetailOut, **ERRORS, 409: ProblemOut, 413: ProblemOut, 422: ProblemOut},
    tags=[TAG],
    openapi_extra=ANSWER_BODY,
)
@idempotent
def answer_request(request, request_id: int = REQUEST_ID):
    """Answer the request in one call, as its page's form saves and submits it: the same fields,
    checks (every file, and its signature where the point needs one) and words; every point
    answered, or 400 and nothing kept. The clerk is told as from the page."""
    need_scope(request, Scope.MESSAGES_WRITE)
    req = _load(request, request_id)
    if req is None:
        return not_found(request)
    refuse_overflow(request)
    if not req.can_answer:
        raise _answer_refused(req.refusal)
    form = AnswerForm(request.POST, items=list(req.items.all()), draft=req.draft)
    form.is_valid()
    files = check_answer_files(form, request.FILES)
    if form.errors:
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        file_errors = {name for name in errors if name.endswith("_files")}
        if file_errors:
            detail = " ".join(m for name in sorted(file_errors) for m in errors[name])
            raise Problem(400, "upload_refused", detail, errors=errors)
        raise invalid_values(form.errors)
    try:
        _save_and_submit(request, req, form, files)
    except ValidationError as error:
        code = getattr(error, "code", None)
        if code == "signature_required":  # signed meanwhile otherwise than checked: refused
            detail = " ".join(error.messages)
            raise Problem(400, "upload_refused", detail, errors={"files": error.messages}) from None
        if code != "missing":
            raise _answer_refused(" ".join(error.messages)) from None
        shown = AnswerForm(items=list(req.items.all()))
        shown.show_missing(error.missing_items)
        errors = {name: [str(m) for m in messages] for name, messages in shown.errors.items()}
        raise Problem(400, "invalid_values", " ".join(error.messages), errors=errors) from None
    return json_response(RequestDetailOut, _detail(_load(request, request_id)), status=201)
