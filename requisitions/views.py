"""The client's answer to a request of VZD: one page per request, item by item, kept as a draft
across visits ("Saglabāt melnrakstu") until "Iesniegt atbildi". Scoped to the acting client (another
client's request is a 404); works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from documents.uploads import overflow_message
from manskonts.decorators import client_required
from manskonts.uploads import reports_upload_limits
from requisitions import client as client_side
from requisitions import services
from requisitions.forms import AnswerForm, check_answer_files
from requisitions.models import Request

SUBMIT, DRAFT = "submit", "draft"


def target_url(req: Request) -> str:
    """The page of the request's part (at the request) or e-service."""
    if req.order_part_id:
        url = reverse("orders:detail", args=[req.order_part.order.number])
    else:
        url = reverse("eservices:detail", args=[req.eservice_id])
    return f"{url}#pieprasijums-{req.pk}"


def _page(request, req, form, *, status=200, refusal="", lead="") -> HttpResponse:
    return render(
        request,
        "requisitions/answer.html",
        {
            "req": req,
            "form": form,
            "back_url": target_url(req),
            "refusal": refusal or req.refusal or "",
            "lead": lead,
        },
        status=status,
    )


def _load(request: HttpRequest, pk: int) -> Request:
    req = get_object_or_404(
        client_side.with_everything(client_side.visible_to(request.client)), pk=pk
    )
    return client_side.describe(req)


@reports_upload_limits
@require_http_methods(["GET", "HEAD", "POST"])
@client_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    req = _load(request, pk)
    items = list(req.items.all())
    if request.method != "POST":
        form = AnswerForm(items=items, draft=req.draft) if req.can_answer else None
        return _page(request, req, form)
    if not req.can_answer:
        # Terminated, expired, withdrawn, accepted or on a closed part: nothing read or stored.
        return _page(request, req, None, status=409)
    form = AnswerForm(request.POST, items=items, draft=req.draft)
    form.is_valid()
    files: dict[int, list] = {}
    overflow = getattr(request, "upload_overflow", None)
    if overflow is not None:
        form.add_error(None, overflow_message(overflow))
    else:
        files = check_answer_files(form, request.FILES)
    if form.errors:
        # One bad file or text refuses the whole post: nothing stored.
        lead = _("Nekas netika saglabāts. Izlabojiet kļūdas un mēģiniet vēlreiz.")
        return _page(request, req, form, status=400, lead=lead)
    try:
        services.save_draft(
            req,
            by=request.user,
            message=form.cleaned_data["message"],
            texts=form.texts(),
            files=files,
        )
    except ValidationError as error:  # settled or closed meanwhile
        refusal = " ".join(error.messages)
        return _page(request, _load(request, pk), None, status=409, refusal=refusal)
    if request.POST.get("action") != SUBMIT:
        messages.success(
            request,
            _(
                "Melnraksts saglabāts. Varat to turpināt vēlāk; atbilde VZD tiks nosūtīta, kad to "
                "iesniegsiet."
            ),
        )
        return HttpResponseRedirect(reverse("requisitions:answer", args=[req.pk]), status=303)
    try:
        services.submit_answer(req, by=request.user)
    except ValidationError as error:
        req = _load(request, pk)
        if error.code != "missing":
            return _page(request, req, None, status=409, refusal=" ".join(error.messages))
        form = AnswerForm(items=items, draft=req.draft)
        form.show_missing(error.missing_items)
        lead = _(
            "Atbilde nav iesniegta: atbildiet uz katru punktu. Tas, ko ierakstījāt un "
            "pievienojāt, ir saglabāts melnrakstā."
        )
        return _page(request, req, form, status=400, lead=lead)
    messages.success(request, _("Atbilde iesniegta. VZD to izskatīs un Jums paziņos."))
    return HttpResponseRedirect(target_url(req), status=303)
