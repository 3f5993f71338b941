"""The upload partial's fields (templates/documents/_upload_form.html), written by the form renderer
like every other form. The upload view reads request.FILES itself (documents.uploads): this form
only shows the fields and, after a refusal, the errors the view left in the session."""

from __future__ import annotations

from django import forms
from django.forms.utils import ErrorDict
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from manskonts.templatetags.manskonts import file_size, lv
from manskonts.validation import ACCEPT_ATTRIBUTE


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    part = forms.ChoiceField(
        label=gettext_lazy("Pasūtījuma daļa"),
        help_text=gettext_lazy("Kurai pasūtījuma daļai iesniedzat dokumentus?"),
        widget=forms.RadioSelect,
    )
    files = forms.FileField(
        label=gettext_lazy("Datnes"),
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )

    def __init__(self, *, parts=(), chosen_part: str = "", max_bytes: int, max_files: int):
        # The names the upload view reads (documents.uploads FILES_FIELD, PART_FIELD); ids
        # upload-files, upload-files-hint, upload-part_0 …
        super().__init__(auto_id="upload-%s", initial={"part": chosen_part})
        parts = list(parts)
        if len(parts) > 1:
            self.fields["part"].choices = [
                (
                    str(part.part_number),
                    format_html(
                        "{}: {}", _("Daļa %(n)s") % {"n": part.part_number}, lv(part.service.name)
                    ),
                )
                for part in parts
            ]
        else:  # one part is chosen silently, an e-service has none
            del self.fields["part"]
        self.fields["files"].help_text = _(
            "PDF, JPEG, PNG, TIFF, DOCX, XLSX, ODT, ZIP, DWG, DXF, parakstīts ASiC-E (EDOC) vai ASiC-S "
            "konteiners. Katra datne līdz %(size)s, vienā reizē līdz %(count)s datnēm."
        ) % {"size": file_size(max_bytes), "count": max_files}

    def show_refusal(self, part_errors: list[str], file_errors: list[str]) -> None:
        """The refusal the view reported after its redirect, on the fields it concerns."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if part_errors and "part" in self.fields:
            self.add_error("part", part_errors)
        elif part_errors:
            file_errors = [*part_errors, *file_errors]
        if file_errors:
            self.add_error("files", file_errors)
