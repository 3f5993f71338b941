"""The one way a form field is written on a portal page: Django's form renderer (GovukFormRenderer,
FORM_RENDERER in settings) whose bound fields write GOV.UK Frontend form groups.

A template writes `{{ form.field.as_field_group }}` (or `{{ form }}`) and gets the GOV.UK form group:
label (a legend for radios and checkboxes), hint, error message, then the control, with
`aria-describedby` naming the hint and the error. `templates/includes/error_summary.html` links each
error to `GovukBoundField.error_href`: the input's id, for a radio or checkbox group its first item.

The groups are written here, in Python (`field_group`, from `GovukBoundField.govuk`, worked out once
per field): through the template engine the list pages' twelve filter fields cost a fifth of the
page (issue 18). templates/forms/govuk/<kind>.html render the same group for whoever asks for a
field's template_name; a field that names a template of its own is rendered with it. Widget
templates stay Django's (the admin renders its own forms with them). Per field a form says only what
differs: widget attrs such as `autocomplete`, `accept`, `rows`, or a width class
(`attrs={"class": "govuk-input--width-10"}`), appended to the control's own classes.
"""

from __future__ import annotations

from functools import cached_property
from html import escape  # Django's escape() is lazy-aware and, per option, slower

from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from manskonts.field_groups import field_group, shown

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


def html_attrs(attrs: dict) -> SafeString:
    """Django's flatatt (name="value" pairs by name, then the true boolean attributes by name),
    without its format_html per attribute: a fifth of a filter field's govuk dict."""
    pairs = sorted(
        (name, value)
        for name, value in attrs.items()
        if value is not None and not isinstance(value, bool)
    )
    flags = sorted(name for name, value in attrs.items() if value is True)
    return SafeString(
        "".join(f' {shown(name)}="{shown(value)}"' for name, value in pairs)
        + "".join(f" {shown(name)}" for name in flags)
    )


def checkbox_items(name: str, choices: list[dict]) -> list[SafeString]:
    """A checkbox group's items (`govuk-checkboxes__item`: the box and its label), one per choice,
    written here once: the group (manskonts.field_groups) writes them all inside its fieldset,
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


class GovukBoundField(forms.BoundField):
    """A bound field that knows its GOV.UK markup: `govuk`, and the group written from it.

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
        """What the GOV.UK group of this field is written from (field_group), worked out once.

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
            "attrs": html_attrs(attrs),
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
    """FORM_RENDERER: the project's template engine, GOV.UK field groups (GovukBoundField).

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
