"""Talking to the Django admin as a browser would, for the role and audit tests."""

from __future__ import annotations

import lxml.html
from django.db import models


def form_data(response, model: type[models.Model], **changes) -> dict[str, list[str]]:
    """What a browser submits from an object's admin page (files left empty), with changes."""
    page = lxml.html.fromstring(response.content.decode())
    form = page.get_element_by_id(f"{model._meta.model_name}_form")
    data: dict[str, list[str]] = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    data["_save"] = ["Saglabāt"]
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data
