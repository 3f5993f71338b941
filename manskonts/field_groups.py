"""The GOV.UK form group of each widget kind, written in Python from a bound field's `govuk` dict
(manskonts.forms.GovukBoundField): label (a legend for radios and checkboxes), hint, error message,
then the control. The one definition of that markup: through the template engine the list pages'
twelve filter fields cost a fifth of the page (issue 18). tests/manskonts/test_field_groups.py
compares it, kind by kind and state by state, with the templates it replaced
(tests/manskonts/govuk_reference/).
"""

from __future__ import annotations

from html import escape  # Django's escape() is lazy-aware and slower

from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext


def shown(value) -> str:
    """A value as the template engine writes `{{ value }}`: safe markup as it is, else escaped."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _label(g: dict) -> str:
    classes = f" {escape(g['label_classes'])}" if g["label_classes"] else ""
    return (
        f'<label class="govuk-label{classes}" for="{escape(g["id"])}">{shown(g["label"])}</label>'
    )


def _hint_and_error(g: dict) -> str:
    """The hint, then the error message (several errors one a line), ids as aria-describedby says."""
    html = ""
    if g["help_text"]:
        html = f'<div id="{escape(g["hint_id"])}" class="govuk-hint">{shown(g["help_text"])}</div>'
    if g["errors"]:
        messages = "<br>".join(shown(error) for error in g["errors"])
        html += (
            f'<p id="{escape(g["error_id"])}" class="govuk-error-message">'
            f'<span class="govuk-visually-hidden">{shown(gettext("Kļūda:"))}</span> {messages}</p>'
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
        f' govuk-fieldset__legend--s">{shown(g["label"])}</legend>{_hint_and_error(g)}{body}'
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
            f'<label class="govuk-label govuk-radios__label" for="{control}">{shown(c["label"])}'
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
    name, label = escape(g["name"]), shown(g["label"])
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
