"""The new-message form (client pages and the admin's reply) and the 'Uzdot jautājumu' form, written
by the project's form renderer. Files are checked like every upload (manskonts.validation): the
cleaned `files` are CheckedUploads, stored by conversations.services.post_message."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from conversations.services import MAX_ATTACHMENTS, check_text
from documents.uploads import overflow_message
from manskonts.templatetags.manskonts import file_size
from manskonts.validation import ACCEPT_ATTRIBUTE, validate_upload
from orders.models import Order


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files under one name; the form checks them."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


def attachment_help(max_bytes: int) -> str:
    return _(
        "Nav obligāti. PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF vai ASiC-E (EDOC). "
        "Katra datne līdz %(size)s, ne vairāk kā %(count)s datnes. Pielikumus glabājam 90 dienas, "
        "ziņas tekstu — pastāvīgi."
    ) % {"size": file_size(max_bytes), "count": MAX_ATTACHMENTS}


def check_attachments(files: list, overflow=None) -> list:
    """Every file checked by content, size and name (manskonts.validation), at most
    MAX_ATTACHMENTS; all refusals at once. Returns the CheckedUploads."""
    if overflow is not None:
        # The upload handler stopped reading (manskonts/uploads.py): nothing of it is kept.
        raise ValidationError(overflow_message(overflow), code="overflow")
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("Ziņai var pievienot ne vairāk kā %(limit)s datnes. Jūs izvēlējāties %(count)s.")
            % {"limit": MAX_ATTACHMENTS, "count": len(files)},
            code="too_many",
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(validate_upload(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


class MessageForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Ziņa"),
        widget=forms.Textarea(attrs={"rows": 5}),
        # check_text gives the Latvian refusals (empty, too long) and strips the text
        required=False,
        strip=False,
    )
    files = MultipleFileField(
        label=gettext_lazy("Pielikumi"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *args, overflow=None, prefix_id: str = "zina", **kwargs):
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)
        self.overflow = overflow
        self.fields["files"].help_text = attachment_help(settings.FILE_UPLOAD_MAX_BYTES)

    def clean_text(self) -> str:
        return check_text(self.cleaned_data.get("text", ""))

    def clean_files(self):
        return check_attachments(self.cleaned_data.get("files") or [], self.overflow)


class AskForm(MessageForm):
    """'Uzdot jautājumu': a question about any of the client's orders, named by its number."""

    order = forms.CharField(
        label=gettext_lazy("Pasūtījuma Nr."),
        help_text=gettext_lazy("Piemēram, 2026-0001234. Numurs ir pasūtījumu sarakstā."),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
    )
    field_order = ["order", "text", "files"]

    def __init__(self, *args, client, **kwargs):
        super().__init__(*args, prefix_id="jautajums", **kwargs)
        self.client = client

    def clean_order(self) -> Order:
        number = self.cleaned_data["order"].strip()
        order = Order.objects.for_client(self.client).filter(number=number).first()
        if order is None:
            raise ValidationError(
                _("Pasūtījums ar numuru „%(number)s” nav atrasts starp Jūsu pasūtījumiem.")
                % {"number": number[:20]},
                code="not_found",
            )
        return order
