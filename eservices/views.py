"""E-pakalpojumu vēsture: the table, the detail page with the own label, the report and its Excel."""

from __future__ import annotations

import tempfile

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST, require_safe

import outbox
from eservices.exporters import direct_limit, report_queryset, write_report
from eservices.filters import EServiceFilter, Period
from eservices.forms import LabelForm
from eservices.jobs import BUILD_EXPORT
from eservices.models import EService, ExportJob
from eservices.queries import history_rows, received, report_totals
from eservices.tables import ORDERS, SORTS, TABLE
from manskonts.decorators import client_required
from manskonts.excel import MAX_ROWS, TOO_MANY_ROWS
from manskonts.listing import query_without, run_list, url_prefix
from manskonts.storage import open_stored
from outbox.models import Message


def _presets(request: HttpRequest) -> list[dict]:
    """Quick period links: this month, last 3 months, this year (keep the other filters)."""
    current = request.GET.get("period")
    base = query_without(request.GET, "period", "created_from", "created_to")
    joiner = "&" if base != "?" else ""
    return [
        {"label": label, "url": f"{base}{joiner}period={value}", "active": value == current}
        for value, label in Period.CHOICES
    ]


def _list_context(request: HttpRequest, queryset) -> dict:
    result = run_list(request, EServiceFilter, queryset, SORTS)
    table = TABLE.layout(user=request.client.is_legal)
    links = {"eservices": url_prefix("eservices:detail"), "orders": url_prefix("orders:detail")}
    return {
        "list": result,
        "page": result.page,
        "table": table,
        "rows_html": table.rows(result.page.rows, links),
        "filterset": result.filterset,
        "presets": _presets(request),
    }


@require_safe
@client_required
def eservice_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, history_rows(request.client))
    return render(request, "eservices/list.html", context)


def _detail_context(request: HttpRequest, eservice: EService, form: LabelForm | None = None):
    return {
        "eservice": eservice,
        "changes": eservice.status_changes.order_by("changed_at", "id"),
        "orders": eservice.orders.prefetch_related("parts__service").order_by("number"),
        "order_table": ORDERS.layout(),
        "documents": eservice.documents.order_by("direction", "uploaded_at", "id"),
        "label_form": form or LabelForm(eservice=eservice),
    }


def _scoped_eservice(request: HttpRequest, pk: int) -> EService:
    return get_object_or_404(
        EService.objects.for_client(request.client).select_related(
            "service__group", "requested_by"
        ),
        pk=pk,
    )


@require_safe
@client_required
def eservice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    eservice = _scoped_eservice(request, pk)
    return render(request, "eservices/detail.html", _detail_context(request, eservice))


@require_POST
@client_required
def label_update(request: HttpRequest, pk: int) -> HttpResponse:
    eservice = _scoped_eservice(request, pk)
    form = LabelForm(request.POST, eservice=eservice)
    if form.is_valid() and form.save():
        if eservice.label:
            messages.success(
                request, _("Identifikators „%(label)s” saglabāts.") % {"label": eservice.label}
            )
        else:
            messages.success(request, _("Identifikators dzēsts."))
        return redirect(reverse("eservices:detail", args=[eservice.pk]) + "#identifikators")
    eservice.label = form.initial.get("label") or None
    return render(
        request, "eservices/detail.html", _detail_context(request, eservice, form), status=400
    )


@require_safe
@client_required
def report(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, received(history_rows(request.client)))
    result = context["list"]
    context["totals"] = None if result.errors else report_totals(result.filterset.qs)
    context["direct_limit"] = direct_limit()
    context["recent_jobs"] = ExportJob.objects.for_client(request.client)[:5]
    context["export_retention_days"] = settings.EXPORT_RETENTION_DAYS
    return render(request, "eservices/report.html", context)


@require_POST
@client_required
def report_export(request: HttpRequest) -> HttpResponse:
    """Excel of exactly the report's current filters: at once up to 5 000 rows, else a job."""
    queryset = report_queryset(request.client, request.GET)
    back = reverse("eservices:report") + (f"?{request.GET.urlencode()}" if request.GET else "")
    if queryset is None:
        messages.error(request, _("Atskaiti nevar sagatavot: labojiet filtrus."))
        return redirect(back)
    limit = direct_limit()
    rows = queryset.order_by().values("pk")[: limit + 1].count()
    if rows <= limit:
        # FileResponse closes it once sent.
        target = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        write_report(queryset, target, with_user=request.client.is_legal)
        target.seek(0)
        filename = f"e-pakalpojumi-{timezone.localtime():%Y-%m-%d-%H%M}.xlsx"
        return _attachment(FileResponse(target, as_attachment=True, filename=filename))
    if queryset.order_by().values("pk")[: MAX_ROWS + 1].count() > MAX_ROWS:
        messages.error(request, _(TOO_MANY_ROWS))
        return redirect(back)
    with transaction.atomic():
        job = ExportJob.objects.create(
            client=request.client, requested_by=request.user, query=request.GET.urlencode()[:2000]
        )
        sent = outbox.send_task(BUILD_EXPORT, args=[str(job.pk)])
    messages.info(
        request,
        _("Atskaitē ir vairāk nekā %(limit)s rindu; to sagatavo fonā. Jūs saņemsiet paziņojumu.")
        % {"limit": limit},
    )
    if sent is not None and not sent.is_sent:
        messages.warning(request, BROKER_AWAY)
    return redirect("eservices:export", job.pk)


# The broker did not take the job (down or paused): the outbox sends it when the broker answers.
BROKER_AWAY = _lazy(
    "Fona apstrādes serviss pašlaik nav pieejams. Atskaite tiks sagatavota, tiklīdz tas būs "
    "pieejams, un Jūs saņemsiet paziņojumu."
)


def _attachment(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@client_required
def export_status(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(ExportJob.objects.for_client(request.client), pk=pk)
    running = None
    broker_away = False
    if job.state == ExportJob.State.PENDING:
        # One export per client is built at a time; say which one this one waits for.
        running = (
            ExportJob.objects.for_client(request.client)
            .filter(state=ExportJob.State.RUNNING)
            .exclude(pk=job.pk)
            .first()
        )
        broker_away = Message.objects.pending().for_task(BUILD_EXPORT, [str(job.pk)]).exists()
    context = {
        "job": job,
        "running": running,
        "broker_away": broker_away,
        "retention_days": settings.EXPORT_RETENTION_DAYS,
    }
    return render(request, "eservices/export.html", context)


@require_safe
@client_required
def export_download(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(ExportJob.objects.for_client(request.client), pk=pk)
    if job.is_deleted:
        messages.error(request, _("Atskaite ir dzēsta, jo beidzies tās glabāšanas termiņš."))
        return redirect("eservices:export", job.pk)
    if job.state != ExportJob.State.DONE or not job.file:
        messages.error(request, _("Atskaite vēl nav gatava."))
        return redirect("eservices:export", job.pk)
    source = open_stored(job.file.name, job.file.storage)
    if source is None:  # the record outlived its object: say so, never a 500
        messages.error(request, _("Atskaites datne vairs nav pieejama. Sagatavojiet to no jauna."))
        return redirect("eservices:export", job.pk)
    return _attachment(FileResponse(source, as_attachment=True, filename=job.filename))
