"""A table declared once: each column's header, sort, cell and Excel cell in one place.

A table is one list of `Column`s. From it come the header cells (`{% table_head %}`, with the sort
links and aria-sort of the sortable ones), the rows (written in Python, see "rendering rows
cheaply" in manskonts/listing.py), the empty row's colspan, the list's sort whitelist
(`Table.sort_choices`) and, for a table with an Excel report, the sheet's columns
(manskonts/excel.py). Adding a column is one edit: one more `Column` in the list.

A column shown only sometimes (the legal person's "Lietotājs") names a condition in `when`;
`table.layout(user=True)` is the table with those columns, built once per set of conditions.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from manskonts.listing import SortChoices, SortOption, html_cells

TEXT, DATE, NUMBER = "text", "date", "number"


@dataclass(frozen=True)
class Excel:
    """How a column is written to the Excel report.

    `fields` are what the cell reads from the report's `values_list` rows (plain tuples, no model
    instances); `value(*fields)` makes the cell's value of them (default: the one field as it is).
    `labels` maps a stored value to its label instead (choices: lazy labels are resolved once per
    report, in its language, not once per row). `format` is TEXT (written as a string, never a
    formula: manskonts/excel.py), DATE (a date cell, dd.mm.yyyy) or NUMBER (as it is).
    """

    fields: tuple[str, ...]
    value: Callable[..., Any] | None = None
    width: int = 14
    format: str = TEXT
    header: Any = None  # default: the column's label
    labels: Mapping[Any, Any] | None = None


@dataclass(frozen=True)
class Column:
    """One column: its name (the URL's ?sort= key when sortable), header and cells.

    `value(row, context)` gives what the cell's `cell` template shows: one value, or a tuple when
    the template has several `{}` (each value escaped, safe strings kept). `kind` is the cell's
    class mk-cell--<kind>: "key" (the row's ID or number, never wraps, the card's title on a
    phone), "nowrap" (numbers, dates, amounts), "wrap" (names and other text that may break),
    "tag" (a status tag), "links". The header text is repeated on each cell as `data-label`, which
    a phone shows beside the value when the rows are cards. `sort` is the ascending order of
    ?sort=<name>, ending with a unique field; `cell_class` adds classes to the <td> (its `{}` are
    filled first, from the start of the value tuple); `html=False` keeps a column out of the page
    (the Excel report only), `excel=None` out of the report.
    """

    name: str
    label: Any  # a lazy translation: resolved in the language of each request
    value: Callable[[Any, Any], Any] | None = None
    cell: str = "{}"
    kind: str = "wrap"
    sort: tuple[str, ...] = ()
    numeric: bool = False
    printed: bool = True
    cell_class: str = ""
    when: str = ""  # shown only in a layout with this condition true
    label_hidden: bool = False  # the header read by screen readers only (an actions column)
    html: bool = True
    excel: Excel | None = None
    placeholders: int = field(init=False, default=1)

    def __post_init__(self):
        object.__setattr__(self, "placeholders", (self.cell_class + self.cell).count("{}"))

    def header(self):
        """The header cell's content: the label, or the label for screen readers only."""
        if self.label_hidden:
            return format_html('<span class="govuk-visually-hidden">{}</span>', self.label)
        return self.label

    def th_classes(self) -> str:
        classes = "govuk-table__header"
        if self.numeric:
            classes += " govuk-table__header--numeric"
        if not self.printed:
            classes += " mk-no-print"
        return classes

    def td_template(self) -> str:
        classes = "govuk-table__cell"
        if self.numeric:
            classes += " govuk-table__cell--numeric"
        if not self.printed:
            classes += " mk-no-print"
        label = html.escape(str(self.label)).replace("{", "{{").replace("}", "}}")
        return (
            f'<td class="{classes} mk-cell--{self.kind}{self.cell_class}" data-label="{label}">'
            f"{self.cell}</td>"
        )


class Layout:
    """The columns of a table that one page shows, with the row template built once per language."""

    def __init__(self, columns: tuple[Column, ...]):
        self.columns = columns
        self._templates: dict[str, str] = {}
        self._getters = [(c.value, c.placeholders != 1) for c in columns]

    def __iter__(self):
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def colspan(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def row_template(self) -> str:
        language = get_language() or ""
        template = self._templates.get(language)
        if template is None:
            cells = "".join(column.td_template() for column in self.columns)
            template = self._templates[language] = f'<tr class="govuk-table__row">{cells}</tr>'
        return template

    def row_values(self, row, context) -> list:
        values: list = []
        for value, several in self._getters:
            if several:
                values.extend(value(row, context))
            else:
                values.append(value(row, context))
        return values

    def rows(self, rows, context=None) -> SafeString:
        """One <tr> per row, the cells in the header's order."""
        template = self.row_template()
        return SafeString(
            "".join(html_cells(template, *self.row_values(row, context)) for row in rows)
        )


class Table:
    """A table's columns in their order, declared once (see the module docstring)."""

    def __init__(self, columns: Sequence[Column]):
        self.columns = tuple(columns)
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"Two columns with one name: {names}")
        self._layouts: dict[frozenset, Layout] = {}

    def _shown(self, conditions: dict[str, bool], *, excel: bool) -> tuple[Column, ...]:
        on = {name for name, flag in conditions.items() if flag}
        return tuple(
            c
            for c in self.columns
            if (c.excel is not None if excel else c.html) and (not c.when or c.when in on)
        )

    def layout(self, **conditions: bool) -> Layout:
        """The page's columns: those without a condition, and those whose condition is true."""
        key = frozenset(name for name, flag in conditions.items() if flag)
        layout = self._layouts.get(key)
        if layout is None:
            layout = self._layouts[key] = Layout(self._shown(conditions, excel=False))
        return layout

    def excel_columns(self, **conditions: bool) -> tuple[Column, ...]:
        return self._shown(conditions, excel=True)

    def sort_choices(self, default: str) -> SortChoices:
        """The list's sort whitelist: ?sort=<name> (or -<name>) of each column with a `sort`."""
        return SortChoices(
            [SortOption(c.name, c.label, c.sort) for c in self.columns if c.sort], default
        )
