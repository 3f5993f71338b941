"""The client's answer to a request, item by item: a text for each information point, files for
each file point, and a message (written by the form renderer, manskonts/forms.py). The files are
read from request.FILES by the view and checked by the same validation as every upload."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.forms import MultipleFileInput
from documents.signing import check_uploads
from manskonts.templatetags.manskonts import file_size
from manskonts.validation import ACCEPT_ATTRIBUTE, ALLOWED_LABELS
from requisitions.models import RequestItem

TEXT_LIMIT = 5000


class FilesField(forms.FileField):
    """The files of one point: the view validates them (manskonts.validation), not the field."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        return data


def text_field(item) -> str:
    return f"item_{item.pk}_text"


def files_field(item) -> str:
    return f"item_{item.pk}_files"


class AnswerForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Ziņa VZD"),
        help_text=gettext_lazy("Nav obligāta. Ko vēlaties paskaidrot par iesniegto?"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, items, draft=None, **kwargs):
        entries = draft.entries if draft is not None else {}
        initial = {"message": draft.message if draft is not None else ""}
        super().__init__(*args, auto_id="answer-%s", initial=initial, **kwargs)
        self.items = list(items)
        fields = {}
        for item in self.items:
            entry = entries.get(item.pk)
            signed = _("Vajadzīgs e-parakstīts dokuments.")
            if item.kind == RequestItem.Kind.INFORMATION:
                field = forms.CharField(
                    label=item.name,
                    required=False,
                    max_length=TEXT_LIMIT,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                self.initial[text_field(item)] = entry.text if entry is not None else ""
                fields[text_field(item)] = field
            else:
                # The formats the upload validation accepts, named where it names them.
                hint = _("Formāts: %(types)s; katra datne līdz %(size)s.") % {
                    "types": ALLOWED_LABELS,
                    "size": file_size(settings.FILE_UPLOAD_MAX_BYTES),
                }
                field = FilesField(
                    label=item.name,
                    required=False,
                    help_text=f"{signed} {hint}" if item.signed_required else hint,
                    widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
                )
                field.saved_files = entry.files if entry is not None else []
                fields[files_field(item)] = field
        # The points first, in the checklist's order, then the message.
        self.fields = {**fields, "message": self.fields["message"]}

    def field_of(self, item) -> str:
        return files_field(item) if item.kind == RequestItem.Kind.FILE else text_field(item)

    def texts(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data.get(text_field(item), "")
            for item in self.items
            if item.kind == RequestItem.Kind.INFORMATION
        }

    def show_missing(self, missing) -> None:
        """The saved draft, with each point the submit found unanswered marked at its field."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        for item in missing:
            self.add_error(
                self.field_of(item),
                _("Pievienojiet datni.")
                if item.kind == RequestItem.Kind.FILE
                else _("Ierakstiet informāciju."),
            )


def check_answer_files(form: AnswerForm, files) -> dict[int, list]:
    """Each file point's uploads (`files`: request.FILES) checked by the upload validation, and
    their signatures where the point needs them; each refusal is added to the form at the point's
    field. Returns the checked files by item id, to store only when the form has no errors."""
    checked_files: dict[int, list] = {}
    for item in form.items:
        if item.kind != RequestItem.Kind.FILE:
            continue
        uploads = files.getlist(files_field(item))
        if not uploads:
            continue
        checked, errors = check_uploads(uploads, signature_required=item.signed_required)
        if errors:
            form.add_error(files_field(item), errors)
        else:
            checked_files[item.pk] = checked
    return checked_files
