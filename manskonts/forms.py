"""The one way a form field is written on a portal page: Django's form renderer with GOV.UK Frontend
templates (templates/forms/govuk/<kind>.html), set as FORM_RENDERER in settings.

A template writes `{{ form.field.as_field_group }}` (or `{{ form }}`) and gets the GOV.UK form group:
label (a legend for radios and checkboxes), hint, error message, then the control, with
`aria-describedby` naming the hint and the error. `templates/includes/error_summary.html` links each
error to `GovukBoundField.error_href`: the input's id, for a radio or checkbox group its first item.

Widget templates stay Django's (the admin renders its own forms with them): the GOV.UK templates write
the controls themselves from `field.govuk`, which this module works out once per field. Per field a
form says only what differs: widget attrs such as `autocomplete`, `accept`, `rows`, or a width class
(`attrs={"class": "govuk-input--width-10"}`), appended to the control's own classes.
"""

from __future__ import annotations

from functools import cached_property
from html import escape  # Django's escape() is lazy-aware and, per option, slower

from django import forms
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

# Attributes of a number input that mean nothing on the text input GOV.UK asks for.
NUMBER_ONLY_ATTRS = {"min", "max", "step"}
# Set by the templates themselves.
OWN_ATTRS = {"class", "id", "name", "type", "value", "aria-describedby", "required", "multiple"}


def widget_kind(bound: forms.BoundField) -> str:
    widget = bound.field.widget
    if widget.is_hidden:
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):  # a RadioSelect subclass: first
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.DateInput) or isinstance(bound.field, forms.DateField):
        return "date"
    return "text"


def checkbox_items(name: str, choices: list[dict]) -> list[SafeString]:
    """A checkbox group's items (`govuk-checkboxes__item`: the box and its label), one per choice,
    written here once: the group's template (checkboxes.html) writes them all inside its fieldset,
    and a table with a box per row (the invoices' "Apmaksāt") puts each in its own cell
    (GovukBoundField.items_by_value)."""
    name = escape(name)
    items = []
    for c in choices:
        checked = " checked" if c["checked"] else ""
        label = c["label"]
        label = label if isinstance(label, SafeString) else escape(str(label))
        control = escape(c["id"])
        items.append(
            SafeString(
                f'<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input"'
                f' id="{control}" name="{name}" type="checkbox" value="{escape(c["value"])}"'
                f'{checked}><label class="govuk-label govuk-checkboxes__label" for="{control}">'
                f"{label}</label></div>"
            )
        )
    return items


def options_html(choices: list[dict]) -> SafeString:
    """A select's <option>s, written here: a template loop over a long list of service groups or
    users cost the list pages a millisecond (their target: a median of at most 20 ms per page, `make bench`)."""
    html = []
    for c in choices:
        selected = " selected" if c["checked"] else ""
        lang = f' lang="{escape(c["lang"])}"' if c["lang"] else ""
        label = c["label"]
        label = label if isinstance(label, SafeString) else escape(str(label))
        html.append(f'<option value="{escape(c["value"])}"{selected}{lang}>{label}</option>')
    return SafeString("".join(html))


def _shown(value) -> str:
    """A value as the template engine writes `{{ value }}`: safe markup as it is, else escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _label(g: dict) -> str:
    classes = f" {escape(g['label_classes'])}" if g["label_classes"] else ""
    return (
        f'<label class="govuk-label{classes}" for="{escape(g["id"])}">{_shown(g["label"])}</label>'
    )


def _hint_and_error(g: dict) -> str:
    """The hint, then the error message (several errors one a line), ids as aria-describedby says."""
    html = ""
    if g["help_text"]:
        html = f'<div id="{escape(g["hint_id"])}" class="govuk-hint">{_shown(g["help_text"])}</div>'
    if g["errors"]:
        messages = "<br>".join(_shown(error) for error in g["errors"])
        html += (
            f'<p id="{escape(g["error_id"])}" class="govuk-error-message">'
            f'<span class="govuk-visually-hidden">{_shown(gettext("Kļūda:"))}</span> {messages}</p>'
        )
    return html


def _control_end(g: dict) -> str:
    """What closes a control's tag: its other attributes, required, aria-describedby."""
    required = " required" if g["required"] else ""
    described = f' aria-describedby="{escape(g["describedby"])}"' if g["describedby"] else ""
    return f"{g['attrs']}{required}{described}>"


def _classes(base: str, g: dict, error_class: str) -> str:
    own = f" {escape(g['classes'])}" if g["classes"] else ""
    error = f" {error_class}" if g["errors"] else ""
    return f"{base}{own}{error}"


def _names(g: dict) -> str:
    return f'id="{escape(g["id"])}" name="{escape(g["name"])}"'


def _text(g: dict) -> str:
    return (
        f'{_label(g)}{_hint_and_error(g)}<input class="{_classes("govuk-input", g, "govuk-input--error")}"'
        f' {_names(g)} type="{escape(g["input_type"])}" value="{escape(g["value"])}"{_control_end(g)}'
    )


def _date(g: dict) -> str:
    classes = _classes("govuk-input govuk-input--width-10", g, "govuk-input--error")
    return (
        f'{_label(g)}{_hint_and_error(g)}<input class="{classes}" {_names(g)} type="text"'
        f' value="{escape(g["value"])}" autocomplete="off"{_control_end(g)}'
    )


def _select(g: dict) -> str:
    return (
        f'{_label(g)}{_hint_and_error(g)}<select class="{_classes("govuk-select", g, "govuk-select--error")}"'
        f" {_names(g)}{_control_end(g)}{g['options']}</select>"
    )


def _textarea(g: dict) -> str:
    # The newline after the tag is dropped by the parser: a value's own first newline is kept.
    classes = _classes("govuk-textarea", g, "govuk-textarea--error")
    return (
        f'{_label(g)}{_hint_and_error(g)}<textarea class="{classes}" {_names(g)}{_control_end(g)}'
        f"\n{escape(g['value'])}</textarea>"
    )


def _file(g: dict) -> str:
    classes = _classes("govuk-file-upload", g, "govuk-file-upload--error")
    multiple = " multiple" if g["multiple"] else ""
    return (
        f'{_label(g)}{_hint_and_error(g)}<input class="{classes}" {_names(g)} type="file"'
        f"{multiple}{_control_end(g)}"
    )


def _fieldset(g: dict, body: str) -> str:
    """A radio or checkbox group: the fieldset (described by the hint and the error), its legend."""
    described = f' aria-describedby="{escape(g["describedby"])}"' if g["describedby"] else ""
    return (
        f'<fieldset class="govuk-fieldset"{described}><legend class="govuk-fieldset__legend'
        f' govuk-fieldset__legend--s">{_shown(g["label"])}</legend>{_hint_and_error(g)}{body}'
        "</fieldset>"
    )


def _radios(g: dict) -> str:
    name = escape(g["name"])
    items = []
    for index, c in enumerate(g["choices"]):
        checked = " checked" if c["checked"] else ""
        required = " required" if g["required"] and index == 0 else ""
        control = escape(c["id"])
        items.append(
            f'<div class="govuk-radios__item"><input class="govuk-radios__input" id="{control}"'
            f' name="{name}" type="radio" value="{escape(c["value"])}"{checked}{required}>'
            f'<label class="govuk-label govuk-radios__label" for="{control}">{_shown(c["label"])}'
            "</label></div>"
        )
    classes = f" {escape(g['classes'])}" if g["classes"] else ""
    return _fieldset(
        g,
        f'<div class="govuk-radios govuk-radios--small{classes}" data-module="govuk-radios">'
        f"{''.join(items)}</div>",
    )


def _checkboxes(g: dict) -> str:
    classes = f" {escape(g['classes'])}" if g["classes"] else ""
    return _fieldset(
        g,
        f'<div class="govuk-checkboxes govuk-checkboxes--small{classes}"'
        f' data-module="govuk-checkboxes">{"".join(g["items"])}</div>',
    )


def _checkbox(g: dict) -> str:
    """One box (a BooleanField): the hint and error above it, its label beside it."""
    classes = f" {escape(g['classes'])}" if g["classes"] else ""
    name, label = escape(g["name"]), _shown(g["label"])
    items = []
    for c in g["choices"]:
        control = escape(c["id"])
        checked = " checked" if c["checked"] else ""
        items.append(
            f'<div class="govuk-checkboxes__item"><input class="govuk-checkboxes__input"'
            f' id="{control}" name="{name}" type="checkbox" value="{escape(c["value"])}"'
            f'{checked}{_control_end(g)}<label class="govuk-label govuk-checkboxes__label"'
            f' for="{control}">{label}</label></div>'
        )
    return (
        f'{_hint_and_error(g)}<div class="govuk-checkboxes govuk-checkboxes--small{classes}"'
        f' data-module="govuk-checkboxes">{"".join(items)}</div>'
    )


GROUP_WRITERS = {
    "text": _text,
    "date": _date,
    "select": _select,
    "textarea": _textarea,
    "file": _file,
    "radios": _radios,
    "checkboxes": _checkboxes,
    "checkbox": _checkbox,
}


def field_group(g: dict) -> SafeString:
    """The GOV.UK form group of a field from its `govuk` dict: the one definition of its markup.

    Written in Python, not a template: the filter panel's twelve groups through the template engine
    cost a list page about 2 ms of its 10 (issue 18)."""
    kind = g["kind"]
    if kind == "hidden":
        return SafeString(
            f'<input type="hidden" name="{escape(g["name"])}" value="{escape(g["value"])}"'
            f' id="{escape(g["id"])}">'
        )
    error = " govuk-form-group--error" if g["errors"] else ""
    return SafeString(f'<div class="govuk-form-group{error}">{GROUP_WRITERS[kind](g)}</div>')


class GovukBoundField(forms.BoundField):
    """A bound field that knows its GOV.UK markup: the template it renders with and `govuk`.

    Adds to Django's BoundField and changes nothing of it, so the admin's fields behave as before.
    """

    @property
    def template_name(self):
        if self.field.template_name:
            return self.field.template_name
        return f"forms/govuk/{self.govuk['kind']}.html"

    def render(self, template_name=None, context=None, renderer=None):
        """`as_field_group`: the group written in Python (field_group), unless the field names a
        template of its own or the caller asks for a template, a context or a renderer."""
        asked = template_name or context or renderer or self.field.template_name
        if not asked:
            return field_group(self.govuk)
        return super().render(template_name, context, renderer)

    @property
    def field_group(self) -> SafeString:
        """The GOV.UK form group, whatever template the field names (the kind templates' body)."""
        return field_group(self.govuk)

    def get_context(self):
        # The template reads `g`, a dict: each lookup is one dict access, where an attribute of the
        # bound field costs the template engine a failed item lookup first.
        return {"field": self, "g": self.govuk}

    @property
    def items_by_value(self) -> dict[str, SafeString]:
        """A checkbox group's items by their value, for a page that places each one apart."""
        g = self.govuk
        return {
            choice["value"]: item for choice, item in zip(g["choices"], g["items"], strict=True)
        }

    @property
    def error_href(self) -> str:
        """Where the error summary sends a person: the input, or a group's first item."""
        return self.govuk["error_href"]

    @cached_property
    def govuk(self) -> dict:
        """What a GOV.UK template needs to write this field, worked out once.

        kind: text, date, select, radios, checkboxes, checkbox, textarea, file or hidden;
        id, hint_id, error_id; describedby (on the control, or on a group's fieldset);
        error_href; input_type; multiple (a file input taking several); value (as typed or
        formatted); classes (the widget's own, after the GOV.UK class); attrs (the widget's other
        attributes, written out); required; choices (dicts: id, value, label, checked, lang) and
        options (a select's, written out), items (a checkbox group's, written out); label,
        label_classes (after govuk-label: the field's `label_classes` if it sets one, such as
        "govuk-visually-hidden" for a select in a table row, else "govuk-label--s"), name,
        help_text, errors (the field's).
        """
        kind = widget_kind(self)
        widget = self.field.widget
        auto_id = self.auto_id or self.html_name
        control_id = widget.attrs.get("id") or auto_id
        grouped = kind in ("radios", "checkboxes")
        hint_id, error_id = f"{auto_id}-hint", f"{auto_id}-error"
        errors = self.errors
        help_text = self.help_text
        described = " ".join(
            part for part, shown in ((hint_id, help_text), (error_id, errors)) if shown
        )
        attrs = {k: v for k, v in widget.attrs.items() if k not in OWN_ATTRS}
        if self.field.disabled:
            attrs["disabled"] = True
        input_type = getattr(widget, "input_type", "text") or "text"
        if kind in ("text", "date"):
            if input_type in ("number", "date"):
                # A number or a date in a text field, as GOV.UK asks: no spinner, no browser format.
                attrs = {k: v for k, v in attrs.items() if k not in NUMBER_ONLY_ATTRS}
                if input_type == "number":
                    attrs.setdefault("inputmode", "numeric")
                input_type = "text"
            if input_type in ("text", "email"):
                attrs.setdefault("spellcheck", "false")
        if kind == "textarea":
            attrs.pop("cols", None)
        value = self.value()
        choices: list[dict] = []
        shown_value = ""
        if kind in ("radios", "checkboxes", "select"):
            chosen = {str(v) for v in widget.format_value(value)}
            data_lang = getattr(self.field, "data_language", "")
            lang = data_lang if data_lang and data_lang != get_language() else ""
            for index, (choice_value, label) in enumerate(self.field.choices):
                text = "" if choice_value is None else str(choice_value)
                choices.append(
                    {
                        "id": f"{control_id}_{index}",
                        "value": text,
                        "label": label,
                        "checked": text in chosen,
                        "lang": lang if text else "",
                    }
                )
        elif kind == "checkbox":
            checked = bool(widget.check_test(value))
            choices.append(
                {"id": control_id, "value": "on", "label": self.label, "checked": checked}
            )
        elif kind != "file":
            formatted = widget.format_value(value)
            shown_value = "" if formatted is None else str(formatted)
        return {
            "kind": kind,
            "id": control_id,
            "hint_id": hint_id,
            "error_id": error_id,
            "describedby": described,
            "error_href": f"#{control_id}_0" if grouped else f"#{control_id}",
            "input_type": input_type,
            "value": shown_value,
            "classes": str(widget.attrs.get("class", "")),
            "attrs": flatatt(attrs),
            "multiple": bool(getattr(widget, "allow_multiple_selected", False)),
            "required": bool(
                self.field.required
                and self.form.use_required_attribute
                and widget.use_required_attribute(self.initial)
            ),
            "choices": choices,
            "options": options_html(choices) if kind == "select" else "",
            "items": checkbox_items(self.html_name, choices) if kind == "checkboxes" else [],
            "label": self.label,
            "label_classes": getattr(self.field, "label_classes", "govuk-label--s"),
            "name": self.html_name,
            "help_text": help_text,
            "errors": errors,
        }


class GovukFormRenderer(TemplatesSetting):
    """FORM_RENDERER: the project's template engine (templates/forms/govuk/), GOV.UK field groups.

    TemplatesSetting reads the templates through TEMPLATES, so Django's own widget templates, which
    the admin still uses, are found in the django.forms app (in INSTALLED_APPS for that reason).
    """

    form_template_name = "forms/govuk/form.html"
    field_template_name = "forms/govuk/text.html"
    bound_field_class = GovukBoundField


class LanguageForm(forms.Form):
    """The header's language switch: Django's set_language view reads `language` and `next`.

    Both are hidden; the submit button beside them names the other language, in that language."""

    language = forms.CharField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "language-%s")
        super().__init__(*args, **kwargs)
