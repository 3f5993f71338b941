from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.applications import duplicate_error
from accounts.demo import DEMO_PERSONS
from accounts.models import Client, LegalPersonApplication, Membership
from manskonts.identifiers import normalize_personal_code, normalize_registration_number
from manskonts.templatetags.manskonts import file_size
from manskonts.validation import ASICE, PDF, CheckedUpload, validate_upload

MAX_LISTED_USERS = 50
# The authority document is a signed paper scan or an e-signed container: nothing else.
AUTHORITY_DOCUMENT_KINDS = (PDF, ASICE)
AUTHORITY_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


class PersonalCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_personal_code(value) if value else value


class RegistrationNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_registration_number(value) if value else value


class PersonalCodeListField(forms.CharField):
    """Personal codes, one a line (commas and semicolons also separate); returns unique digits."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        codes, errors = [], []
        for item in re.split(r"[\n,;]+", value or ""):
            item = item.strip()
            if not item:
                continue
            try:
                codes.append(normalize_personal_code(item))
            except ValidationError:
                errors.append(
                    _("Personas kods „%(code)s” nav derīgs.") % {"code": item[:20]},
                )
        if errors:
            raise ValidationError(errors)
        codes = list(dict.fromkeys(codes))
        if len(codes) > MAX_LISTED_USERS:
            raise ValidationError(
                _("Var norādīt ne vairāk kā %(limit)s personas.") % {"limit": MAX_LISTED_USERS}
            )
        return codes


def authority_document_too_big() -> ValidationError:
    return ValidationError(
        _("Dokumentam jābūt mazākam par %(limit)s.")
        % {"limit": file_size(AUTHORITY_DOCUMENT_MAX_BYTES)},
        code="too_big",
    )


def check_authority_document(upload) -> CheckedUpload:
    """The shared content check, narrowed to PDF and ASiC-E (EDOC) of at most 10 MB."""
    if upload.size and upload.size > AUTHORITY_DOCUMENT_MAX_BYTES:
        raise authority_document_too_big()
    checked = validate_upload(upload)
    if checked.kind not in AUTHORITY_DOCUMENT_KINDS:
        raise ValidationError(
            _("Pārstāvību apliecinošam dokumentam jābūt PDF vai ASiC-E (EDOC) formātā."),
            code="wrong_type",
        )
    return checked


class LegalPersonApplicationForm(forms.Form):
    registration_number = RegistrationNumberField(
        label=gettext_lazy("Reģistrācijas numurs"),
        help_text=gettext_lazy("11 cipari, piemēram, 40003000000."),
        error_messages={"required": gettext_lazy("Norādiet reģistrācijas numuru.")},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
    )
    name = forms.CharField(
        label=gettext_lazy("Nosaukums"),
        max_length=255,
        error_messages={"required": gettext_lazy("Norādiet juridiskās personas nosaukumu.")},
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    legal_address = forms.CharField(
        label=gettext_lazy("Juridiskā adrese"),
        max_length=255,
        error_messages={"required": gettext_lazy("Norādiet juridisko adresi.")},
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    email = forms.EmailField(
        label=gettext_lazy("Kontaktu e-pasts"),
        max_length=254,
        error_messages={"required": gettext_lazy("Norādiet kontaktu e-pasta adresi.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.RegexField(
        label=gettext_lazy("Tālrunis"),
        max_length=30,
        regex=r"^\+?[0-9 ()\-]{7,29}$",
        error_messages={
            "required": gettext_lazy("Norādiet tālruņa numuru."),
            "invalid": gettext_lazy("Ievadiet tālruņa numuru, piemēram, +371 67038600."),
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-20", "autocomplete": "tel", "type": "tel"}
        ),
    )
    authority = forms.ChoiceField(
        label=gettext_lazy("Jūsu pārstāvības pamats"),
        choices=LegalPersonApplication.Authority.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Izvēlieties, uz kāda pamata pārstāvat.")},
    )
    authority_document = forms.FileField(
        label=gettext_lazy("Pārstāvību apliecinošs dokuments"),
        help_text=gettext_lazy(
            "Valdes lēmums vai pilnvara, PDF vai ASiC-E (EDOC) formātā, līdz 10 MB."
        ),
        error_messages={
            "required": gettext_lazy("Pievienojiet pārstāvību apliecinošu dokumentu."),
        },
        widget=forms.FileInput(attrs={"accept": ".pdf,.asice,.sce,.edoc,.bdoc"}),
    )
    user_codes = PersonalCodeListField(
        label=gettext_lazy("Lietotāji (neobligāti)"),
        help_text=gettext_lazy(
            "Personu kodi personām, kuras varēs darboties juridiskās personas vārdā, katrs savā rindā."
        ),
    )

    def __init__(self, *args, applicant=None, upload_overflow=None, **kwargs):
        self.applicant = applicant
        # Set when the upload handler stopped reading the document at its limit
        # (manskonts/uploads.py): the file never arrived, so say why rather than "required".
        self.upload_overflow = upload_overflow
        super().__init__(*args, **kwargs)
        self.checked_document: CheckedUpload | None = None

    def clean(self):
        data = super().clean()
        if self.upload_overflow is not None:
            self.errors.pop("authority_document", None)
            self.add_error("authority_document", authority_document_too_big())
        return data

    def clean_registration_number(self):
        number = self.cleaned_data["registration_number"]
        if error := duplicate_error(number):
            raise error
        return number

    def clean_authority_document(self):
        upload = self.cleaned_data["authority_document"]
        self.checked_document = check_authority_document(upload)
        return upload

    def clean_user_codes(self):
        codes = self.cleaned_data["user_codes"]
        own = getattr(self.applicant, "personal_code", None)
        return [code for code in codes if code != own]


class AddUserForm(forms.Form):
    personal_code = PersonalCodeField(
        label=gettext_lazy("Personas kods"),
        error_messages={"required": gettext_lazy("Ievadiet personas kodu.")},
        help_text=gettext_lazy("Piemēram, 010190-12345 vai 32xxxx-xxxxx."),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Loma"),
        choices=Membership.Role.choices,
        initial=Membership.Role.USER,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Izvēlieties lomu."),
            "invalid_choice": gettext_lazy("Izvēlieties lomu: administrators vai lietotājs."),
        },
    )


class RoleForm(forms.Form):
    """A member's role. On the users page each row has one (`membership=`): the select's id
    role-<pk>, its label "Loma personai <code>" for screen readers only (the column header
    shows "Loma")."""

    # Every option is a role: no empty first option for `required` to mean anything.
    use_required_attribute = False

    role = forms.ChoiceField(label=gettext_lazy("Loma"), choices=Membership.Role.choices)

    def __init__(self, *args, membership: Membership | None = None, **kwargs):
        if membership is not None:
            kwargs.setdefault("auto_id", f"role-{membership.pk}-%s")
            kwargs.setdefault("initial", {"role": membership.role})
        super().__init__(*args, **kwargs)
        if membership is not None:
            field = self.fields["role"]
            field.widget.attrs["id"] = f"role-{membership.pk}"
            field.label = _("Loma personai %(code)s") % {
                "code": membership.user.personal_code_display
            }
            field.label_classes = "govuk-visually-hidden"


class ActingForForm(forms.Form):
    """The header's "Darbojos kā": which of the person's clients to act for (accounts:switch),
    and the page to come back to. The person's own client reads "Savā vārdā"."""

    use_required_attribute = False  # every option is one of the person's clients

    client = forms.TypedChoiceField(
        label=gettext_lazy("Darbojos kā"),
        coerce=int,
        widget=forms.Select(attrs={"id": "acting-for"}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, choices, **kwargs):
        kwargs.setdefault("auto_id", "acting-for-%s")
        super().__init__(*args, **kwargs)
        field = self.fields["client"]
        field.label_classes = ""  # the header's own small white label (static/src/_portal.scss)
        field.choices = [
            (client.pk, _("Savā vārdā") if client.person_id == user.pk else client.name)
            for client in choices
        ]


class DemoSignInForm(forms.Form):
    """The demo identity provider's "Pieslēgties kā …" button: which invented person, and the page
    to go on to. `index` keeps each person's form's ids apart on the sign-in page."""

    person = forms.ChoiceField(
        choices=[(p.personal_code, p.personal_code) for p in DEMO_PERSONS],
        widget=forms.HiddenInput,
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, index: int = 0, **kwargs):
        kwargs.setdefault("auto_id", f"demo-{index}-%s")
        super().__init__(*args, **kwargs)

    @property
    def person_object(self):
        code = self.cleaned_data["person"]
        return next(p for p in DEMO_PERSONS if p.personal_code == code)


class RejectApplicationForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Noraidīšanas iemesls (to redzēs iesniedzējs)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class LegalClientCreationForm(forms.ModelForm):
    """Staff open a legal person's account from an application received in person."""

    administrator_code = PersonalCodeField(
        label=gettext_lazy("Administratora personas kods"),
        help_text=gettext_lazy(
            "Persona, kas iesniedza pieteikumu klātienē; kļūst par administratoru."
        ),
    )
    user_codes = PersonalCodeListField(label=gettext_lazy("Lietotāju personas kodi"))
    registration_number = RegistrationNumberField(label=gettext_lazy("Reģistrācijas numurs"))

    class Meta:
        model = Client
        fields = ("name", "registration_number", "legal_address", "email", "phone")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_address"].required = True

    def clean_registration_number(self):
        number = self.cleaned_data["registration_number"]
        if Client.objects.filter(registration_number=number).exists():
            raise ValidationError(
                _("Juridiskā persona ar reģistrācijas numuru %(number)s jau ir reģistrēta.")
                % {"number": number}
            )
        return number

    def _post_clean(self):
        # The client is created by accounts.applications.create_legal_person, not by this form.
        self.instance.kind = Client.Kind.LEGAL
        super()._post_clean()
