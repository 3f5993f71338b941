"""The client API's writes to the client's own records (scope documents:write): the own label of
an e-service, through the page's own form (eservices.forms.LabelForm: its validation, its words
and its save, which keeps the label's sort key)."""

from django.http import HttpResponse
from ninja import Field, Path, Router, Schema

from api.auth import audited, need_scope
from api.endpoints import ERRORS, eservice_detail
from api.idempotency import idempotent
from api.listing import detail_body
from api.models import Scope
from api.problems import Problem, not_found
from api.schemas import EServiceDetailOut, ProblemOut
from eservices.forms import LabelForm
from eservices.models import EService

router = Router()

WRITE_ERRORS = {**ERRORS, 409: ProblemOut, 422: ProblemOut}


class LabelIn(Schema):
    label: str | None = Field(
        None,
        description="The own label (at most 100 characters, unique within the client); "
        "empty or null clears it",
    )


def invalid_values(errors) -> Problem:
    """A form's refusal: 400 invalid_values, its messages per field, all of them as `detail`."""
    found = {name: [str(m) for m in messages] for name, messages in errors.items()}
    return Problem(
        400,
        "invalid_values",
        " ".join(m for messages in found.values() for m in messages),
        errors=found,
    )


def detail_response(schema, data, status: int = 200):
    """A detail's answer to a write, with the ETag its GET now has."""
    body, etag = detail_body(schema, data)
    response = HttpResponse(body, status=status, content_type="application/json")
    response["ETag"] = etag
    return response


@router.put(
    "/eservices/{eservice_id}/label",
    response={200: EServiceDetailOut, **WRITE_ERRORS},
    tags=["e-pakalpojumi"],
)
@idempotent
def put_eservice_label(request, payload: LabelIn, eservice_id: int = Path(..., ge=1, le=2**31 - 1)):
    """Set or clear the e-service's own label, as its page's form "Klienta identifikators" does
    (the same length and uniqueness check, the same words); answers the e-service's detail."""
    need_scope(request, Scope.DOCUMENTS_WRITE)
    eservice = EService.objects.for_client(request.client).filter(pk=eservice_id).first()
    if eservice is None:
        return not_found(request)
    form = LabelForm({"label": payload.label or ""}, eservice=eservice)
    with audited(request):
        saved = form.is_valid() and form.save()
    if not saved:
        raise invalid_values(form.errors)
    return detail_response(EServiceDetailOut, eservice_detail(request.client, eservice.pk))
