"""Shared machinery of the two big lists: whitelisted sorts, keyset pages and a bounded count.

A page never counts or skips the client's whole set: it continues from the sort values of the last
row shown (a signed cursor in the URL) along an index on (client, sort key, id), and the count stops
at COUNT_LIMIT. So the first page and page 2 000 cost the same few queries.
"""

from __future__ import annotations

import copy
import hashlib
import html
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any, ClassVar
from urllib.parse import quote

import django_filters
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import F, IntegerField, QuerySet, Subquery
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.forms import ModelChoiceField
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from manskonts.dates import DateRangeChecked
from manskonts.fragments import Fragments

PAGE_SIZE = 20
COUNT_LIMIT = 1000
CURSOR_SALT = "manskonts.listing.cursor"


# --- sorting -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SortOption:
    key: str
    label: str
    fields: tuple[str, ...]  # ascending order, ending with a unique field (the tie-break)


@dataclass(frozen=True)
class Sort:
    option: SortOption
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.option.key}" if self.descending else self.option.key

    @property
    def ordering(self) -> list[str]:
        sign = "-" if self.descending else ""
        return [f"{sign}{name}" for name in self.option.fields]


class SortChoices:
    """The sorts a list offers, by URL key; anything else is refused with a message."""

    def __init__(self, options: list[SortOption], default: str):
        self.options = {o.key: o for o in options}
        self.default = default

    def parse(self, raw: str | None) -> tuple[Sort, str]:
        value = (raw or "").strip()
        if not value:
            value = self.default
        descending = value.startswith("-")
        option = self.options.get(value.lstrip("-"))
        if option is None or len(value) > 40:
            return self.parse(self.default)[0], _(
                "Šādas kārtošanas nav; saraksts sakārtots pēc noklusējuma."
            )
        return Sort(option, descending), ""

    def headers(self, sort: Sort) -> dict[str, dict[str, Any]]:
        """For each sortable column: its next sort value and its aria-sort state."""
        result = {}
        for key, option in self.options.items():
            active = option.key == sort.option.key
            result[key] = {
                "label": option.label,
                "active": active,
                "aria": ("descending" if sort.descending else "ascending") if active else "none",
                "next": f"-{key}" if active and not sort.descending else key,
            }
        return result


# --- keyset pages --------------------------------------------------------------------------------
@dataclass
class Page:
    rows: list
    number: int
    next_cursor: str = ""
    previous_cursor: str = ""
    has_next: bool = False
    has_previous: bool = False
    count: int = 0
    count_exceeds: bool = False
    messages: list[str] = field(default_factory=list)

    @property
    def count_limit(self) -> int:
        return COUNT_LIMIT

    @property
    def previous_is_first(self) -> bool:
        return self.number <= 2


class BadCursor(ValueError):
    pass


def list_key(qs: QuerySet, ordering: list[str]) -> str:
    """Which list and order a cursor belongs to (signed into it): a cursor of one list, or of the
    same list in another order, names a position that means nothing there, so it is refused."""
    name = f"{qs.model._meta.label_lower}:{','.join(ordering)}"
    return hashlib.blake2s(name.encode(), digest_size=4).hexdigest()


def _encode(values: list, number: int, direction: str, key: str) -> str:
    plain = [v.isoformat() if hasattr(v, "isoformat") else v for v in values]
    return signing.dumps({"v": plain, "p": number, "d": direction, "k": key}, salt=CURSOR_SALT)


def _decode(token: str, qs: QuerySet, fields: tuple[str, ...], key: str) -> tuple[list, int, str]:
    if len(token) > 500:
        raise BadCursor
    try:
        data = signing.loads(token, salt=CURSOR_SALT)
        raw, number, direction = data["v"], int(data["p"]), data["d"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadCursor from None
    if data.get("k") != key:
        raise BadCursor
    if direction not in ("n", "p") or len(raw) != len(fields) or not 1 < number < 10**7:
        raise BadCursor
    values = []
    for name, value in zip(fields, raw, strict=True):
        try:
            values.append(qs.model._meta.get_field(name).to_python(value))
        except (ValidationError, TypeError, ValueError):
            raise BadCursor from None
    return values, number, direction


def _row_values(row, fields: tuple[str, ...]) -> list:
    return [getattr(row, name) for name in fields]


COUNT_ANNOTATION = "bounded_count"


class BoundedCount(Subquery):
    """How many rows `queryset` has, counted up to COUNT_LIMIT + 1, as an uncorrelated scalar
    subquery (which PostgreSQL runs once for the whole statement)."""

    template = "(SELECT count(*) FROM (%(subquery)s) AS bounded)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet):
        super().__init__(queryset.order_by().values("pk")[: COUNT_LIMIT + 1])


def bounded_count(qs: QuerySet) -> BoundedCount | None:
    """BoundedCount of `qs`, or None when `qs` is empty by construction (.none(): no query)."""
    if qs.query.is_empty():
        return None
    return BoundedCount(qs)


IDS_FIRST = "manskonts_ids_first"


def ids_first(qs: QuerySet) -> QuerySet:
    """`qs` marked as filtered by a narrow index that does not follow the sort (a prefix of the own
    label): rows_queryset finds its page's ids first, then reads only the rows of those ids.

    Along the sort's index PostgreSQL reads the heap row of every entry it passes to test the
    filter (850 for each row shown, at 1 match in 850), or from the filter's index the heap rows
    of all the matches before sorting them; either grows with the client's rows. The ids alone
    come from an index-only scan of the filter's index, which carries the sort columns, and a
    top-N sort of its entries; then the page_size + 1 rows are read by id, the filters checked
    again on those few. The mark is kept by every later filter, annotation and order (Django
    copies the query's attributes into each clone)."""
    qs = qs.all()
    setattr(qs.query, IDS_FIRST, True)
    return qs


def rows_queryset(
    qs: QuerySet,
    sort: Sort,
    values: list | None,
    backwards: bool,
    page_size: int = PAGE_SIZE,
    count: BoundedCount | None = None,
) -> QuerySet:
    """The one query of a page's rows: page_size + 1 of them after (or, backwards, before) the
    sort values `values` (None: from the start), along the sort's index (of an ids_first() `qs`:
    their ids from the filter's index, then the rows of those ids). With `count`, each row
    also carries it as `bounded_count`: an uncorrelated subquery, which PostgreSQL runs once."""
    fields = sort.option.fields
    desc = sort.descending != backwards
    ordering = [f"-{f}" if desc else f for f in fields]
    ordered = qs.order_by(*ordering)
    if values is not None:
        lookup = TupleLessThan if desc else TupleGreaterThan
        ordered = ordered.filter(lookup(Tuple(*[F(f) for f in fields]), tuple(values)))
    if getattr(qs.query, IDS_FIRST, False):
        ordered = qs.filter(pk__in=ordered.values("pk")[: page_size + 1]).order_by(*ordering)
    if count is not None:
        ordered = ordered.annotate(**{COUNT_ANNOTATION: count})
    return ordered[: page_size + 1]


def keyset_page(
    qs: QuerySet, sort: Sort, cursor: str | None, page_size: int = PAGE_SIZE, *, strict=False
) -> Page:
    """One page of `qs` in `sort` order, continuing after (or before) the row named by `cursor`.

    A bad cursor shows the first page with a notice; with `strict` (the API) it raises BadCursor.

    One query whatever the page: the rows (page_size + 1, to know if there is more) with the
    count of all (bounded at COUNT_LIMIT) riding along, plus whatever prefetches `qs` carries;
    the count is a query of its own only when the page has no rows but the list may (a stale
    cursor past the end).
    """
    fields = sort.option.fields
    key = list_key(qs, sort.ordering)
    messages = []
    values, number, direction = None, 1, "n"
    if cursor:
        try:
            values, number, direction = _decode(cursor, qs, fields, key)
        except BadCursor:
            if strict:
                raise
            messages.append(_("Lapas saite nav derīga; parādīta pirmā lapa."))
            values, number, direction = None, 1, "n"

    backwards = direction == "p"
    count = bounded_count(qs)
    rows = list(rows_queryset(qs, sort, values, backwards, page_size, count))
    more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = values is not None, more

    page = Page(rows=rows, number=number, has_next=has_next, has_previous=has_previous)
    page.messages = messages
    if rows and has_next:
        page.next_cursor = _encode(_row_values(rows[-1], fields), number + 1, "n", key)
    if rows and has_previous and number > 2:
        page.previous_cursor = _encode(_row_values(rows[0], fields), number - 1, "p", key)
    if not rows and values is not None:
        # A stale cursor past the end: say so rather than show nothing without a word.
        page.messages.append(_("Šajā lapā ierakstu nav."))
    if rows:
        page.count = getattr(rows[0], COUNT_ANNOTATION)
    elif values is None or count is None:
        page.count = 0  # no rows from the start: none at all
    else:
        page.count = qs.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    page.count_exceeds = page.count > COUNT_LIMIT
    if page.count_exceeds:
        page.count = COUNT_LIMIT
    return page


def page_param_message(params: QueryDict) -> str:
    """A `page` number in the URL without a cursor (an old bookmark, or typed): first page."""
    raw = params.get("page")
    if raw is None or params.get("cursor"):
        return ""
    if raw.strip() in ("", "1"):
        return ""
    return _("Lapa nav atrasta; parādīta pirmā lapa.")


def query_without(params: QueryDict, *keys: str) -> str:
    """The query string without some parameters (and always without the page position)."""
    copy = params.copy()
    for key in (*keys, "cursor", "page"):
        copy.pop(key, None)
    encoded = copy.urlencode()
    return f"?{encoded}" if encoded else "?"


# --- rendering rows cheaply -----------------------------------------------------------------------
# A page's rows are written in Python rather than the template language: 20 rows of 9 or 10 cells
# through template variables and filters cost about 3 ms, a sixth of the page's whole budget
# (target: a median of at most 20 ms, `make bench`), and the same markup with the same escaping (html_cells) costs a
# tenth of that. Each table is declared once next to its view (eservices/tables.py,
# orders/tables.py, billing/tables.py) with manskonts/columns.py, which writes its header cells,
# rows and colspan; the caption and empty row stay in the templates. TAG_CLASSES are the
# status colours of both the rows and templates/includes/status_tag.html (the tag_class filter).
TAG_CLASSES = {
    "completed": "govuk-tag--green",
    "cancelled": "govuk-tag--red",
    "rejected": "govuk-tag--red",
    "suspended": "govuk-tag--orange",
    "issuing": "govuk-tag--turquoise",
    "in_progress": "govuk-tag--blue",
    "processing": "govuk-tag--blue",
}
EMPTY = "—"


def tag_class(status: str) -> str:
    return TAG_CLASSES.get(status, "govuk-tag--grey")


def day(value) -> str:
    """A date, or a datetime in the current time zone, as dd.mm.yyyy ('' for none)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return value.strftime("%d.%m.%Y")


def _escape(value) -> str:
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def html_cells(template: str, *values) -> str:
    """format_html for table rows: every value escaped (safe strings kept) into the template, but
    without format_html's per-argument lazy-string checks, which cost more than the row itself."""
    return template.format(*map(_escape, values))


LINK = '<a class="govuk-link" href="{}{}/">{}</a>'


def links(prefix: str, keys) -> SafeString:
    """'<a …>key</a>, <a …>key</a>' to prefix + key + '/', or a dash for none."""
    if not keys:
        return SafeString(EMPTY)
    return SafeString(", ".join(html_cells(LINK, prefix, quote(str(k)), k) for k in keys))


@cache
def url_prefix(name: str) -> str:
    """'/mans-konts/e-pakalpojumi/' for eservices:detail: rows link as prefix + key + '/'.

    The URL is reversed with the key 0 (every row URL takes a number or a string) and the
    '0/' it ends with taken off; a URL that does not end so has no place for a key at its end."""
    url, end = reverse(name, args=[0]), "/0/"
    if not url.endswith(end):
        raise ValueError(f"{name} does not end with its key: {url}")
    return url.removesuffix(end[1:])


# --- filter sets ---------------------------------------------------------------------------------
def request_copy(filter_: django_filters.Filter, parent, model) -> django_filters.Filter:
    """A class's filter copied for one FilterSet: what django-filter changes per request is its own
    (parent, model, the field it builds, `extra`, which a model choice filter sets its queryset in),
    the rest (labels, choices, lookups) is read only and shared."""
    copied = copy.copy(filter_)
    copied.__dict__.pop("_field", None)
    copied.extra = dict(filter_.extra)
    copied.model, copied.parent = model, parent
    if copied.method is not None:
        copied.method = copied.method  # a FilterMethod of the copy: it calls this parent's method
    return copied


class ListFilterSet(django_filters.FilterSet):
    """A FilterSet whose form class is built once per set of filters rather than on every request
    (django-filter makes a new class, and deep-copies its fields, each time). Choices that depend
    on the request are set on each form's own fields by `prepare_form`."""

    _form_classes: ClassVar[dict] = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        # django-filter's own, but with each filter copied for this request rather than deep-copied:
        # the deep copy of a dozen filters (labels, choices, widgets) cost a list page about 0.5 ms.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {
            name: request_copy(filter_, self, queryset.model)
            for name, filter_ in self.base_filters.items()
        }

    def get_form_class(self):
        key = (type(self), tuple(self.filters))
        form_class = ListFilterSet._form_classes.get(key)
        if form_class is None:
            base = super().get_form_class()
            form_class = type(base.__name__, (DateRangeChecked, base), {})
            ListFilterSet._form_classes[key] = form_class
        return form_class

    @property
    def form(self):
        if not hasattr(self, "_form"):
            self.prepare_form(super().form)
            if self.asks_nothing():
                self._form.is_valid()  # not checked for the list (is_valid): for cleaned_data
        return self._form

    def prepare_form(self, form) -> None:
        """Set request-dependent choices on `form.fields` (the form's own copies)."""

    def choices_key(self) -> tuple:
        """Everything prepare_form sets on the form from the request (the choices offered): part of
        the key under which the fields' HTML is kept (fields_html). A subclass that overrides
        prepare_form must override this too (checked when the class is made)."""
        return ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "prepare_form" in cls.__dict__ and "choices_key" not in cls.__dict__:
            raise TypeError(
                f"{cls.__name__} sets choices per request (prepare_form) without choices_key: "
                "its filter fields' HTML would be kept without them."
            )

    def fields_html(self) -> SafeString:
        """The filter panel's fields as the form renderer writes them (GOV.UK form groups), kept
        (manskonts.fragments) under everything they are written from: which filters, the language,
        today (a period's default), the query string's values, the choices offered. A filter
        whose choices come from a queryset (possibly the request's) is written every time."""

        def write() -> SafeString:
            return SafeString("".join(field.as_field_group() for field in self.form))

        if any(issubclass(f.field_class, ModelChoiceField) for f in self.filters.values()):
            return write()
        key = (
            type(self),
            tuple(self.filters),
            get_language(),
            timezone.localdate(),
            tuple(
                (name, tuple(values))
                for name, values in sorted(self.data.lists())
                if name not in NOT_FILTERS
            ),
            self.choices_key(),
        )
        return FILTER_FIELDS.get(key, write)

    def asks_nothing(self) -> bool:
        """Whether the query string holds no filter at all (the first page, a sort, a page): then
        the list is the queryset as it is, with no form to build or check (~0.5 ms a request).
        Every filter leaves the queryset alone for an empty value, as django-filter's do
        (tests/manskonts/test_list_filters.py holds each list's filter set to it)."""
        return self.is_bound and all(name in NOT_FILTERS for name in self.data)

    def is_valid(self) -> bool:
        return self.asks_nothing() or super().is_valid()

    @property
    def qs(self):
        if not hasattr(self, "_qs") and self.asks_nothing():
            self._qs = self.queryset.all()
        return super().qs


FILTER_FIELDS = Fragments("filter fields")


# --- one list request ----------------------------------------------------------------------------
def awaiting_tag() -> SafeString:
    """The tag beside a row's status when VZD waits for the client's answer to a request."""
    return format_html(
        ' <strong class="govuk-tag govuk-tag--yellow mk-tag-awaiting">{}</strong>',
        _("Gaida jūsu atbildi"),
    )


def _display(value) -> str:
    if value is True:  # a checkbox filter ("Gaida manu atbildi") in force
        return _("jā")
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    return str(value)


def active_filters(filterset, params: QueryDict) -> list[dict[str, str]]:
    """The filters in force, in words, each with the URL that clears it (back to page 1)."""
    result = []
    if filterset.asks_nothing():
        return result
    data = filterset.form.cleaned_data
    for name, form_field in filterset.form.fields.items():
        value = data.get(name)
        if value is False or value in (None, "", [], ()):  # an unticked checkbox: not in force
            continue
        choices = dict(getattr(form_field, "choices", []) or [])
        shown = choices.get(value, value)
        result.append(
            {
                "name": name,
                "label": str(form_field.label),
                "value": _display(shown),
                "clear_url": query_without(params, name),
            }
        )
    return result


FILTERS_PARAM = "filtri"  # ?filtri=0: the filter panel hidden (the table gets the full width)
# What a list's query string carries besides its filters: never a form field's value.
NOT_FILTERS = frozenset({"sort", "cursor", "page", FILTERS_PARAM})


@dataclass
class ListResult:
    filterset: Any
    sort: Sort
    page: Page
    headers: dict
    filters: list
    notices: list
    errors: bool
    filters_hidden: bool = False
    show_filters_url: str = ""
    hide_filters_url: str = ""

    @property
    def sort_param(self) -> str:
        return self.sort.param


def filter_toggle_urls(params: QueryDict) -> tuple[bool, str, str]:
    """Whether the URL hides the filter panel, and the same page with it shown and hidden.

    The panel is open unless the URL says filtri=0, so that it is open without JavaScript; the
    page, sort and filters stay as they are."""
    hidden = params.get(FILTERS_PARAM) == "0"
    shown, hide = params.copy(), params.copy()
    shown.pop(FILTERS_PARAM, None)
    hide[FILTERS_PARAM] = "0"
    return hidden, f"?{shown.urlencode()}", f"?{hide.urlencode()}"


def run_list(request, filterset_class, queryset: QuerySet, sorts: SortChoices) -> ListResult:
    """Filter (django-filter), sort (whitelist) and page (keyset) one list request.

    Bad input never fails the page: an unknown sort falls back to the default with a notice, a bad
    cursor or page number shows the first page with a notice, invalid filter values show the form
    errors and no rows.
    """
    params = request.GET
    sort, sort_notice = sorts.parse(params.get("sort"))
    notices = [n for n in (sort_notice, page_param_message(params)) if n]
    filterset = filterset_class(params, queryset=queryset, request=request)
    if filterset.is_valid():
        page = keyset_page(filterset.qs, sort, params.get("cursor"))
        notices += page.messages
        filters = active_filters(filterset, params)
        errors = False
    else:
        page = Page(rows=[], number=1)
        filters = []
        errors = True
    hidden, show_url, hide_url = filter_toggle_urls(params)
    return ListResult(
        filterset=filterset,
        sort=sort,
        page=page,
        headers=sorts.headers(sort),
        filters=filters,
        notices=notices,
        errors=errors,
        filters_hidden=hidden and not errors,  # a filter with an error stays in sight
        show_filters_url=show_url,
        hide_filters_url=hide_url,
    )


def run_plain_list(
    request, queryset: QuerySet, sorts: SortChoices, page_size: int = PAGE_SIZE
) -> ListResult:
    """run_list for a list without filters (the notifications): sort (whitelist) and page
    (keyset), with the same notices for a bad sort, cursor or page number."""
    params = request.GET
    sort, sort_notice = sorts.parse(params.get("sort"))
    page = keyset_page(queryset, sort, params.get("cursor"), page_size)
    notices = [n for n in (sort_notice, page_param_message(params), *page.messages) if n]
    return ListResult(
        filterset=None,
        sort=sort,
        page=page,
        headers=sorts.headers(sort),
        filters=[],
        notices=notices,
        errors=False,
    )
