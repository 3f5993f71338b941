"""Filters every template may use (registered as builtins in settings)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlencode

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import QueryDict
from django.urls import get_script_prefix
from django.utils import formats
from django.utils.html import avoid_wrapping, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from manskonts import listing
from manskonts import page_blocks as page_block_registry
from manskonts.forms import LanguageForm
from manskonts.fragments import Fragments
from manskonts.identifiers import format_cadastral, format_personal_code

register = template.Library()


@register.filter
def money(value) -> str:
    """1234.5 → '1 234,50 €' (non-breaking spaces, so the amount never wraps)."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return ""
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{chr(0xA0).join(groups)},{cents}\xa0€"


# Latvian's three forms in gettext's order for Latvian (plural=n%10==1 && n%100!=11 ? 0 : n != 0 ?
# 1 : 2): "1 baits", "21 baits"; "2 baiti", "11 baiti", "193 baiti"; "0 baitu".
LATVIAN_BYTES = ("%(size)d baits", "%(size)d baiti", "%(size)d baitu")


def latvian_plural_index(n: int) -> int:
    return 0 if n % 10 == 1 and n % 100 != 11 else 1 if n != 0 else 2


@register.filter
def file_size(value) -> str:
    """A file size as people write it: "1 baits", "193 baiti", "0 baitu", "1,5 KB", "2,0 MB".

    Django's filesizeformat reads its Latvian catalogue, whose three byte forms are in the wrong
    order ("1 baitu", "2 baits"). Latvian is the source language here: its three forms are chosen
    in code (a msgid pair holds only two); other languages translate the pair.
    """
    try:
        size = int(value)
    except (TypeError, ValueError):
        size = 0
    sign, size = ("-", -size) if size < 0 else ("", size)
    if size < 1 << 10:
        if get_language() in (None, "lv"):
            form = LATVIAN_BYTES[latvian_plural_index(size)]
        else:
            form = ngettext("%(size)d baits", "%(size)d baiti", size)
        text = form % {"size": size}
    else:
        for unit, name in ((1 << 40, "TB"), (1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")):
            if size >= unit:
                text = f"{formats.number_format(round(size / unit, 1), 1)} {name}"
                break
    return avoid_wrapping(sign + text)


@register.filter
def cadastral(value) -> str:
    return format_cadastral(str(value or ""))


@register.filter
def lv(value):
    """Latvian data (service and group names) marked as Latvian on a page in another language, so
    that a screen reader pronounces it as Latvian (WCAG 3.1.2 Language of Parts)."""
    if value in (None, "") or get_language() == "lv":
        return value
    return format_html('<span lang="lv">{}</span>', value)


@register.filter
def tag_class(status) -> str:
    """The GOV.UK tag colour of a status (one table for templates and the Python-written rows)."""
    return listing.tag_class(status)


@register.filter
def personal_code(value) -> str:
    return format_personal_code(str(value or ""))


@register.simple_tag
def hidden_inputs(form) -> SafeString:
    """A header form's hidden fields as Django's HiddenInput writes them, with the form's own names,
    values and ids. The widget's three templates cost ~0.2 ms a field, and every page's header
    has two or three of them (bench/profile_page.py, ~7 ms a list page)."""
    html = []
    for field in form.hidden_fields():
        value = field.value()
        html.append(
            format_html(
                '<input type="hidden" name="{}"{} id="{}">',
                field.html_name,
                format_html(' value="{}"', value) if value not in (None, "") else "",
                field.auto_id,
            )
        )
    return SafeString("".join(html))


LANGUAGE_FORMS = Fragments("language switches")


@register.simple_tag(takes_context=True)
def language_form(context, language: str) -> SafeString:
    """The header's switch to `language`, coming back to this page (its hidden inputs), kept by
    the language and the page."""
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    return LANGUAGE_FORMS.get(
        (language, here),
        lambda: hidden_inputs(LanguageForm(initial={"language": language, "next": here})),
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (None or '' removes one).

    Changing anything but the page returns to the first page, as GOV.UK's filter pattern does.
    """
    # Pairs rather than QueryDict.copy(), whose deep copy made the table header's sort links
    # (one call a column) cost ~0.1 ms a list page; the order is the copy's: a changed parameter
    # stays where it was, a new one goes last.
    params: QueryDict = context["request"].GET
    dropped = () if "page" in changes or "cursor" in changes else ("page", "cursor")
    pairs = []
    for key, values in params.lists():
        if key in changes:
            value = changes[key]
            if value is not None and value != "":
                pairs.append((key, str(value)))
        elif key not in dropped:
            pairs.extend((key, value) for value in values)
    for key, value in changes.items():
        if key not in params and value is not None and value != "":
            pairs.append((key, str(value)))
    encoded = urlencode(pairs)
    return f"?{encoded}" if encoded else "?"


# --- Fragments rendered once per language ----------------------------------------------------------
# The layout's fixed parts (the stylesheet and script links with their hashed names, the skip link,
# the brand, the footer, the header forms' addresses) are the same on every page in a language, yet
# their {% static %}, {% url %} and {% translate %} tags cost ~1 ms of a list page's ~10 ms CPU
# (bench/profile_page.py). `{% once %}` renders them on the first page in each language and keeps
# the HTML for the life of the process.

_once_generation = 0


@receiver(setting_changed)
def _forget_once_fragments(**kwargs) -> None:
    # A test that changes STATIC_URL, STORAGES or the URLconf must not get yesterday's links.
    global _once_generation
    _once_generation += 1


class OnceNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.rendered: dict[tuple, str] = {}
        self.generation = _once_generation

    def render(self, context) -> str:
        if self.generation != _once_generation:
            self.rendered, self.generation = {}, _once_generation
        # The script prefix too: {% url %} starts with it, and it is the WSGI mount point.
        key = (get_language(), get_script_prefix(), context.autoescape)
        html = self.rendered.get(key)
        if html is None:
            html = self.rendered[key] = self.nodelist.render(context)
        return html


@register.tag
def once(parser, token) -> OnceNode:
    """{% once %}…{% endonce %}: HTML that depends on the language only (never on the request, the
    person or the page's context), rendered once per language and then reused."""
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist)


# --- GOV.UK components written in Python -----------------------------------------------------------
# Used on the two big lists, where each include costs (target: a median of at most 20 ms per page, `make bench`): the
# sortable table header. Form fields are written by the form renderer (manskonts/forms.py).


@register.simple_tag(takes_context=True)
def sort_header(context, h: dict) -> SafeString:
    """A sortable column header (h: one of manskonts.listing.SortChoices.headers)."""
    state = h["aria"]
    if state == "ascending":
        arrow, hint = " ▲", _("kārtots augošā secībā; kārtot dilstošā")
    elif state == "descending":
        arrow, hint = " ▼", _("kārtots dilstošā secībā; kārtot augošā")
    else:
        arrow, hint = "", _("kārtot")
    return format_html(
        '<th scope="col" class="govuk-table__header" aria-sort="{}"><a class="govuk-link '
        'mk-sort-link" href="{}">{}{}<span class="govuk-visually-hidden"> — {}</span></a></th>',
        state,
        query_with(context, sort=h["next"]),
        h["label"],
        format_html('<span aria-hidden="true">{}</span>', arrow) if arrow else "",
        hint,
    )


NAV_BARS = Fragments("navigation bars")


@register.simple_tag
def nav_items(items: list[dict]) -> SafeString:
    """The navigation bar's items (accounts.context_processors.navigation), the current one with
    aria-current and the unread count as a red tag. Written here, not by a template loop, because
    every signed-in page has it (~0.2 ms of the template engine's variable lookups a page), and
    kept by the language and the items' state."""
    key = (
        get_language(),
        tuple((i["url"], i["current"], i["active"], i["unread"]) for i in items),
    )
    return NAV_BARS.get(key, lambda: _nav_items(items))


def _nav_items(items: list[dict]) -> SafeString:
    html = []
    for item in items:
        unread = (
            format_html(
                ' <span class="govuk-tag govuk-tag--red">{}'
                '<span class="govuk-visually-hidden"> {}</span></span>',
                formats.localize(item["unread"]),
                _("nelasīti"),
            )
            if item["unread"]
            else ""
        )
        html.append(
            format_html(
                '<li class="mk-nav__item{}"><a href="{}"{}>{}{}</a></li>',
                " mk-nav__item--active" if item["active"] else "",
                item["url"],
                mark_safe(' aria-current="page"') if item["current"] else "",
                item["label"],
                unread,
            )
        )
    return SafeString("".join(html))


@register.simple_tag(takes_context=True)
def pager(context, page: listing.Page, bottom: bool = False) -> SafeString:
    """Previous / next over a keyset page (manskonts.listing.Page); above the table also the
    bounded count ("Atrasti 12 ieraksti. Lapa 2."). Written here rather than as an included
    template, which cost ~0.1 ms of each list page's two pagers (bench/profile_page.py)."""
    html = []
    paged = page.has_previous or page.has_next
    if not bottom:
        if page.count_exceeds:
            count = _("Atrasti vairāk nekā %(limit)s ieraksti.") % {
                "limit": formats.localize(page.count_limit)
            }
        else:
            count = ngettext(
                "Atrasts %(counter)s ieraksts.", "Atrasti %(counter)s ieraksti.", page.count
            ) % {"counter": formats.localize(page.count)}
        if paged:
            count += " " + _("Lapa %(number)s.") % {"number": formats.localize(page.number)}
        html.append(
            format_html('<p class="govuk-body mk-result-count" role="status">{}</p>\n', count)
        )
    if not paged:
        return SafeString("".join(html))
    html.append(
        format_html(
            '<nav class="govuk-pagination govuk-pagination--block" aria-label="{}">\n',
            _("Lapas saraksta beigās") if bottom else _("Lapas"),
        )
    )
    link = (
        '<div class="govuk-pagination__{}"><a class="govuk-link govuk-pagination__link" '
        'href="{}" rel="{}"><span class="govuk-pagination__link-title">{}</span></a></div>\n'
    )
    if page.has_previous:
        cursor = None if page.previous_is_first else page.previous_cursor
        html.append(
            format_html(
                link, "prev", query_with(context, cursor=cursor), "prev", _("Iepriekšējā lapa")
            )
        )
    if page.has_next:
        html.append(
            format_html(
                link,
                "next",
                query_with(context, cursor=page.next_cursor),
                "next",
                _("Nākamā lapa"),
            )
        )
    if page.number > 2:
        html.append(
            format_html(
                '<p class="govuk-body govuk-!-margin-top-2"><a class="govuk-link" href="{}">{}</a>'
                "</p>\n",
                query_with(context, cursor=None),
                _("Uz pirmo lapu"),
            )
        )
    html.append("</nav>\n")
    return SafeString("".join(html))


@register.simple_tag
def selected_filters(result: listing.ListResult) -> SafeString:
    """The filters in force, in words (manskonts.listing.active_filters), each a link that clears
    it. Written here rather than as an included template, as the filter panel beside it is."""
    if not result.filters:
        return SafeString("")
    html = [
        format_html(
            '<h2 class="govuk-heading-s govuk-!-margin-bottom-2">{}</h2>\n'
            '<ul class="mk-selected-filters">\n',
            _("Izvēlētie filtri"),
        )
    ]
    remove = _("Noņemt filtru")
    for chosen in result.filters:
        html.append(
            format_html(
                '<li><a href="{}"><span class="govuk-visually-hidden">{} </span>{}: {} ✕</a></li>\n',
                chosen["clear_url"],
                remove,
                chosen["label"],
                chosen["value"],
            )
        )
    html.append("</ul>\n")
    return SafeString("".join(html))


@register.simple_tag
def filter_panel(result: listing.ListResult, action: str, presets=None) -> SafeString:
    """A list's filter panel (MOJ "filter a list" pattern), a plain GET form: applying filters goes
    back to page 1 and keeps the sort. `result` is the list's manskonts.listing.ListResult,
    `action` the list's URL, `presets` the quick period links, each {label, url, active}.

    The button above it hides and shows the panel: a link to the same page with ?filtri=0 (or
    without it), which static/js/filter-toggle.js turns into a toggle that updates the URL. It
    says how many filters are in force; on a phone it reads "Filtri (2)" and, with JavaScript, the
    panel starts closed there. The fields are the form renderer's GOV.UK groups. Written here
    rather than as an included template: ~0.2 ms of each list page's CPU (bench/profile_page.py).
    """
    hidden = result.filters_hidden
    count = len(result.filters)
    html = [
        format_html(
            '<div class="mk-filter-layout__toggle">\n<a href="{}" role="button" draggable="false" '
            'class="govuk-button govuk-button--secondary mk-filter-toggle" '
            'data-module="govuk-button" data-mk-filter-toggle aria-controls="mk-filter-panel" '
            'data-show-url="{}" data-hide-url="{}">\n'
            '<span data-mk-when="hidden"{}><span class="mk-filter-toggle__wide">{}</span>'
            '<span class="mk-filter-toggle__narrow">{}</span>{}</span>\n'
            '<span data-mk-when="shown"{}>{}</span>\n</a>\n</div>\n'
            '<div class="mk-filter-layout__filter" id="mk-filter-panel"{}>\n'
            '<h2 class="govuk-heading-m">{}</h2>\n',
            result.show_filters_url if hidden else result.hide_filters_url,
            result.show_filters_url,
            result.hide_filters_url,
            "" if hidden else mark_safe(" hidden"),
            _("Rādīt filtrus"),
            _("Filtri"),
            f" ({count})" if count else "",
            mark_safe(" hidden") if hidden else "",
            _("Slēpt filtrus"),
            mark_safe(" hidden") if hidden else "",
            _("Filtri"),
        )
    ]
    if presets:
        html.append(
            format_html(
                '<p class="govuk-body govuk-!-margin-bottom-1">{}</p>\n<ul class="govuk-list">\n',
                _("Pieprasīti:"),
            )
        )
        for preset in presets:
            html.append(
                format_html(
                    '<li><a class="govuk-link" href="{}"{}>{}</a></li>\n',
                    preset["url"],
                    mark_safe(' aria-current="true"') if preset["active"] else "",
                    preset["label"],
                )
            )
        html.append("</ul>\n")
    html.append(
        format_html(
            '<form method="get" action="{}" novalidate>\n'
            '<input type="hidden" name="sort" value="{}">\n',
            action,
            result.sort_param,
        )
    )
    html.append(result.filterset.fields_html())
    html.append(
        format_html(
            '\n<div class="govuk-button-group">\n'
            '<button type="submit" class="govuk-button" data-module="govuk-button">{}</button>\n'
            '<a class="govuk-link" href="{}?sort={}">{}</a>\n</div>\n</form>\n</div>\n',
            _("Filtrēt"),
            action,
            quote(result.sort_param, safe="/"),
            _("Notīrīt filtrus"),
        )
    )
    return SafeString("".join(html))


# The same table's header for the same query string, sort and language: kept (~0.3 ms a list page).
TABLE_HEADS = Fragments("table heads")


@register.simple_tag(takes_context=True)
def table_head(context, table, headers: dict) -> SafeString:
    """The header cells of a declared table (manskonts.columns.Layout), in its columns' order:
    a sort link with aria-sort for each sortable column (headers: SortChoices.headers). Kept under
    what they are written from: the layout (one per table and set of columns, for the process's
    life), the language, the query string the sort links keep and each header's state."""
    request = context.get("request")
    if request is None:
        return _table_head(context, table, headers)
    key = (
        table,
        get_language(),
        # The sort links go back to the first page (query_with): the page and cursor are not in them.
        tuple(
            (name, tuple(values))
            for name, values in request.GET.lists()
            if name not in ("page", "cursor")
        ),
        tuple((name, h["aria"], h["next"]) for name, h in (headers or {}).items()),
    )
    return TABLE_HEADS.get(key, lambda: _table_head(context, table, headers))


def _table_head(context, table, headers: dict) -> SafeString:
    cells = []
    for column in table:
        h = headers.get(column.name) if column.sort else None
        if h is not None:
            cells.append(sort_header(context, {**h, "label": column.label}))
        else:
            cells.append(
                format_html(
                    '<th scope="col" class="{}">{}</th>', column.th_classes(), column.header()
                )
            )
    return SafeString("".join(cells))


@register.simple_tag(takes_context=True)
def table_rows(context, table, rows) -> SafeString:
    """The body rows of a declared table (manskonts.columns.Layout), written from its columns; the
    cells read the page's context (link prefixes, today's date) as a list's rows do."""
    return table.rows(rows, context)


@register.simple_tag(takes_context=True)
def page_blocks(context, slot: str, obj=None, among=None) -> SafeString:
    """The blocks higher apps registered for a place of this page (manskonts.page_blocks), each
    rendered with the page's context plus its own."""
    request = context.get("request")
    if request is None:
        return SafeString("")
    engine = context.template.engine
    html = []
    for block, block_context in page_block_registry.contexts_for(request, slot, obj, among):
        template = block.template
        if isinstance(template, str):
            template = engine.get_template(template)
        with context.push(**block_context):
            html.append(template.render(context))
    return SafeString("".join(html))
