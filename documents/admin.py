"""Staff and documents: see what clients submitted (and download it), attach results.

Order parts and e-services get two inlines, added here to their admins (documents sits above orders
and e-services, which do not import it): the files so far, read-only with
a download link, and "Pievienot rezultātu" where a clerk uploads results. A result goes through the
same content check as client uploads and `documents.services.attach_result`, which notifies the
client. Document records are never edited or deleted by hand: the retention purge is the only
deletion, and it leaves an audit entry.
"""

from __future__ import annotations

import json
from datetime import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from documents.models import Document, DocumentAuditEntry
from documents.services import attach_result
from documents.signing import revalidate
from eservices.admin import EServiceAdmin
from manskonts.admin_titles import LatvianTitlesMixin
from manskonts.storage import (
    content_disposition,
    stored_file_response,
)
from manskonts.templatetags.manskonts import file_size
from manskonts.validation import ACCEPT_ATTRIBUTE, validate_upload
from orders.admin import OrderPartAdmin
from signatures.report import local_text


def _signature_words(document: Document) -> str:
    """The check's result as staff read it: the same words as the client, per signature."""
    if document.signature_pending:
        return _("Pārbauda parakstu…")
    if document.signature_status == Document.SignatureStatus.NONE:
        return "—"
    signatures = (document.signature_report or {}).get("signatures") or []
    if len(signatures) > 1:
        return format_html_join("", "<div>{}</div>", ((s.get("words", ""),) for s in signatures))
    return document.signature_words or document.get_signature_status_display()


def _signer_line(signature: dict) -> str:
    """ "Jānis Bērziņš (PNOLV-010203-12345), 05.03.2026 14:02, ar laika zīmogu — parakstīts,
    derīgs" (and the reason when it fails)."""
    moment = signature.get("signing_time")
    parts = [
        " ".join(
            part
            for part in (
                signature.get("signer") or "—",
                f"({signature['personal_code']})" if signature.get("personal_code") else "",
            )
            if part
        ),
        local_text(datetime.fromisoformat(moment)) if moment else "",
        str(_("ar laika zīmogu") if signature.get("timestamped") else _("bez laika zīmoga")),
    ]
    try:
        state = str(Document.SignatureStatus(signature.get("status", "")).label)
    except ValueError:
        state = signature.get("status", "")
    reason = signature.get("reason") or ""
    return f"{', '.join(p for p in parts if p)} — {state}" + (f": {reason}" if reason else "")


def _download_link(document: Document) -> str:
    if document.is_deleted:
        return _("dzēsta %(date)s") % {"date": f"{document.deleted_at:%d.%m.%Y}"}
    if not document.file:
        return "—"
    return format_html(
        '<a href="{}">{}</a>',
        reverse("admin:documents_document_download", args=[document.pk]),
        _("Lejupielādēt"),
    )


@admin.register(Document)
class DocumentAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "dokumentu")
    list_display = (
        "original_name",
        "direction",
        "eservice",
        "order_part",
        "size_shown",
        "uploaded_at",
        "available_until",
        "deleted_at",
        "signature",
        "download",
    )
    list_filter = ("direction", "signature_status", "uploaded_at", "deleted_at")
    list_select_related = ("eservice", "order_part__order")
    search_fields = ("original_name", "=eservice__id", "order_part__order__number")
    readonly_fields = (
        "original_name",
        "direction",
        "eservice",
        "order_part",
        "size",
        "content_type",
        "uploaded_by",
        "uploaded_at",
        "deleted_at",
        "expiry_reminded_at",
        "download",
        "signature_status",
        "signature",
        "signers",
        "container_contents",
        "signature_checked_at",
        "signature_report_link",
    )
    fields = readonly_fields
    actions = ("check_signatures_again",)

    @admin.display(description=gettext_lazy("Datne"))
    def download(self, obj: Document) -> str:
        return _download_link(obj)

    @admin.display(description=gettext_lazy("Paraksts"), ordering="signature_status")
    def signature(self, obj: Document) -> str:
        return _signature_words(obj)

    @admin.display(description=gettext_lazy("Parakstītāji"))
    def signers(self, obj: Document) -> str:
        """Each signature: signer, personal code (VZD staff may see it), signing time, whether a
        trusted time stamp proves it, its status and why."""
        signatures = (obj.signature_report or {}).get("signatures") or []
        if not signatures:
            return "—"
        return format_html_join("", "<div>{}</div>", ((_signer_line(s),) for s in signatures))

    @admin.display(description=gettext_lazy("Konteinera datnes"))
    def container_contents(self, obj: Document) -> str:
        files = obj.container_files
        if not files:
            return "—"
        return format_html_join(
            "", "<div>{} ({})</div>", ((f["name"], file_size(f["size"])) for f in files)
        )

    @admin.display(description=gettext_lazy("Paraksta pārbaudes atskaite"))
    def signature_report_link(self, obj: Document) -> str:
        if not obj.signature_report:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:documents_document_signature_report", args=[obj.pk]),
            _("Lejupielādēt atskaiti (JSON)"),
        )

    def has_recheck_permission(self, request: HttpRequest) -> bool:
        """Checking again after a trust store change is the operator's job (docs/roles.md)."""
        return request.user.is_superuser

    @admin.action(description=gettext_lazy("Pārbaudīt parakstu vēlreiz"), permissions=["recheck"])
    def check_signatures_again(self, request: HttpRequest, queryset) -> None:
        counts = revalidate(queryset)
        self.message_user(
            request,
            _("Paraksti pārbaudīti: %(count)s datnes.") % {"count": sum(counts.values())},
        )

    @admin.display(description=gettext_lazy("Izmērs"), ordering="size")
    def size_shown(self, obj: Document) -> str:
        return file_size(obj.size)

    @admin.display(description=gettext_lazy("Pieejama līdz"))
    def available_until(self, obj: Document):
        return obj.available_until or gettext_lazy("bez termiņa")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/lejupieladet/",
                self.admin_site.admin_view(self.download_view),
                name="documents_document_download",
            ),
            path(
                "<int:pk>/paraksta-atskaite/",
                self.admin_site.admin_view(self.signature_report_view),
                name="documents_document_signature_report",
            ),
            *super().get_urls(),
        ]

    def signature_report_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The validator's report (personal codes included): staff with view permission only."""
        if not self.has_view_permission(request):
            raise Http404
        document = get_object_or_404(Document, pk=pk)
        if not document.signature_report:
            raise Http404
        body = json.dumps(
            {
                "document": document.pk,
                "file": document.original_name,
                "checked_at": document.signature_checked_at.isoformat()
                if document.signature_checked_at
                else None,
                **document.signature_report,
            },
            ensure_ascii=False,
            indent=2,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = content_disposition(
            f"paraksta-atskaite-{document.pk}.json"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Staff download a submitted file or a result, with the same safe headers as clients."""
        if not self.has_view_permission(request):
            raise Http404
        document = get_object_or_404(Document, pk=pk)
        if document.is_deleted or not document.file:
            raise Http404
        # A record whose object is missing from storage is a 404, never a 500.
        response = stored_file_response(document.file, document.original_name)
        if response is None:
            raise Http404
        return response


@admin.register(DocumentAuditEntry)
class DocumentAuditEntryAdmin(LatvianTitlesMixin, admin.ModelAdmin):
    accusative = pgettext_lazy("akuzatīvs", "datnes audita ierakstu")
    list_display = ("at", "action", "original_name", "size", "document", "storage_key")
    list_filter = ("action", "at")
    search_fields = ("original_name", "storage_key", "=document__id")
    readonly_fields = [f.name for f in DocumentAuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OptionalInlineFormSet(BaseInlineFormSet):
    """These inlines add nothing the parent needs: a POST made without them (a script, a form
    rendered before they existed) still saves the order part or e-service, with no files."""

    def __init__(self, data=None, files=None, *args, **kwargs):
        super().__init__(data, files, *args, **kwargs)
        total = f"{self.prefix}-TOTAL_FORMS"
        if self.is_bound and total not in self.data:
            self.data = self.data.copy()
            self.data.update({total: "0", f"{self.prefix}-INITIAL_FORMS": "0"})


class DocumentListInline(admin.TabularInline):
    """The files of this order part / e-service so far, submitted and results."""

    model = Document
    formset = OptionalInlineFormSet
    extra = 0
    can_delete = False
    verbose_name = gettext_lazy("datne")
    verbose_name_plural = gettext_lazy("Iesniegtās datnes un rezultāti")
    fields = (
        "original_name",
        "direction",
        "size_shown",
        "uploaded_at",
        "uploaded_by",
        "signature",
        "download",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Datne"))
    def download(self, obj: Document) -> str:
        return _download_link(obj)

    @admin.display(description=gettext_lazy("Paraksts"))
    def signature(self, obj: Document) -> str:
        return _signature_words(obj)

    @admin.display(description=gettext_lazy("Izmērs"))
    def size_shown(self, obj: Document) -> str:
        return file_size(obj.size)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ResultUploadForm(forms.ModelForm):
    file = forms.FileField(
        label=gettext_lazy("Rezultāta datne"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    class Meta:
        model = Document
        fields = ("file",)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            raise ValidationError(_("Izvēlieties datni."), code="required")
        self.checked = validate_upload(upload)
        return upload


class ResultUploadFormSet(OptionalInlineFormSet):
    request: HttpRequest | None = None

    def save_new(self, form, commit=True):
        # Stored, recorded and notified by the one service function; never a half-saved row.
        return attach_result(form.checked, by=self.request.user, **{self.fk.name: self.instance})


class ResultUploadInline(admin.TabularInline):
    """Attach results: each file is checked by content and the client is notified."""

    accusative = pgettext_lazy("akuzatīvs", "rezultātu")

    model = Document
    form = ResultUploadForm
    formset = ResultUploadFormSet
    extra = 1
    max_num = 10
    can_delete = False
    verbose_name = gettext_lazy("rezultāts")
    verbose_name_plural = gettext_lazy("Pievienot rezultātu")
    fields = ("file",)

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and request.user.has_perm("documents.add_document")


# OrderPartAdmin and EServiceAdmin show the files so far and take results; they read `inlines`
# when a page is built, so adding to them here (on import of this module, from the admin's
# autodiscovery) is enough.
for _model_admin in (OrderPartAdmin, EServiceAdmin):
    _model_admin.inlines = [*_model_admin.inlines, DocumentListInline, ResultUploadInline]
