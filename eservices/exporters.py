"""The e-service report as an Excel workbook: openpyxl in write-only mode, rows read from a
server-side cursor in chunks, so memory stays flat however many rows there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from manskonts.identifiers import format_cadastral

DATE_FORMAT = "DD.MM.YYYY"
CHUNK_SIZE = 2000
PROGRESS_EVERY = 10000


def text_cell(cell: WriteOnlyCell, value: str | None) -> WriteOnlyCell | str | None:
    """`value` to append as a string cell, never a formula; None for an empty cell.

    openpyxl turns a string that starts with "=" into a formula (and "#N/A" and the like into an
    error value); such a value goes into `cell` with its type set back to string afterwards, which
    writes an inline string (`t="inlineStr"`) that Excel and LibreOffice show exactly as typed and
    never evaluate, so the visible text needs no apostrophe. Any other string openpyxl already
    writes as an inline string, "+", "-", "@", tab and CR prefixes included
    (tests/security/test_excel_formulas.py reads the XML back), so it is passed as it is: a cell
    object per value would cost a caught exception in openpyxl's row writer, a third more time.
    """
    if not value:
        return None
    if value[0] != "=" and value not in ERROR_CODES:
        return value
    cell.value = value  # openpyxl's check: no control characters Excel cannot hold
    cell.data_type = "s"
    return cell


def columns(with_user: bool) -> list[tuple[str, int]]:
    """(Latvian header, column width in characters)."""
    result = [
        (_("E-pakalpojuma ID"), 16),
        (_("Izveidošanas datums"), 14),
        (_("Pakalpojuma nosaukums"), 48),
        (_("Pakalpojuma grupa"), 24),
        (_("Objekts"), 22),
        (_("Statuss"), 14),
        (_("Izmaiņu datums"), 14),
        (_("Saņemšanas datums"), 14),
        (_("Saistītie pasūtījumi"), 24),
        (_("Klienta identifikators"), 26),
    ]
    if with_user:
        result.append((_("Lietotājs"), 26))
    return result


ROW_FIELDS = (
    "id",
    "created_day",
    "service__name",
    "service__group__name",
    "object_code",
    "status",
    "changed_day",
    "received_day",
    "label",
    "requested_by__first_name",
    "requested_by__last_name",
)


def export_rows(queryset: QuerySet):
    """Plain tuples of what a row shows, dates already local calendar days (computed by
    PostgreSQL), read from a server-side cursor in chunks; no model instances."""
    tz = timezone.get_current_timezone()
    return (
        queryset.annotate(
            created_day=TruncDate("created_at", tzinfo=tz),
            changed_day=TruncDate("status_changed_at", tzinfo=tz),
            received_day=TruncDate("received_at", tzinfo=tz),
        )
        .values_list(*ROW_FIELDS)
        .iterator(chunk_size=CHUNK_SIZE)
    )


def _chunks(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _order_numbers(ids: list[int]) -> dict[int, str]:
    """The related order numbers of a chunk of e-services, in one query."""
    from eservices.models import EService

    numbers: dict[int, list[str]] = {}
    links = (
        EService.orders.through.objects.filter(eservice_id__in=ids)
        .order_by("eservice_id", "order__number")
        .values_list("eservice_id", "order__number")
    )
    for eservice_id, number in links:
        numbers.setdefault(eservice_id, []).append(number)
    return {pk: ", ".join(found) for pk, found in numbers.items()}


def write_report(
    queryset: QuerySet,
    target: IO[bytes],
    *,
    with_user: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows of `queryset` (already filtered and ordered) to `target`; return the count."""
    from eservices.models import EServiceStatus

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("E-pakalpojumi"))
    cols = columns(with_user)
    for index, (_header, width) in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header, _width in cols:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    # One styled cell per date column, reused: a write-only sheet serializes each row as it is
    # appended, so only the value changes from row to row.
    date_cells = []
    for _column in range(3):
        cell = WriteOnlyCell(sheet, value=None)
        cell.number_format = DATE_FORMAT
        date_cells.append(cell)
    created_cell, changed_cell, received_cell = date_cells
    # Text that a client, a person's name or VZD's data put in a cell, as strings (text_cell): one
    # reusable cell per column, safe because each row is written as it is appended.
    service_cell, group_cell, object_cell, status_cell, orders_cell, label_cell, user_cell = (
        WriteOnlyCell(sheet) for _column in range(7)
    )
    statuses = {value: str(label) for value, label in EServiceStatus.choices}

    count = 0
    for chunk in _chunks(export_rows(queryset), CHUNK_SIZE):
        orders = _order_numbers([row[0] for row in chunk])
        for (
            pk,
            created,
            service,
            group,
            obj,
            status,
            changed,
            received,
            label,
            first,
            last,
        ) in chunk:
            created_cell.value = created
            changed_cell.value = changed
            received_cell.value = received
            row = [
                pk,
                created_cell,
                text_cell(service_cell, service),
                text_cell(group_cell, group),
                text_cell(object_cell, format_cadastral(obj)),
                text_cell(status_cell, statuses.get(status, status)),
                changed_cell,
                received_cell if received is not None else None,
                text_cell(orders_cell, orders.get(pk, "")),
                text_cell(label_cell, label),
            ]
            if with_user:
                row.append(text_cell(user_cell, f"{first or ''} {last or ''}".strip()))
            sheet.append(row)
        count += len(chunk)
        if progress is not None and count % PROGRESS_EVERY < CHUNK_SIZE:
            progress(count)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{count + 1}"
    workbook.save(target)
    if progress is not None:
        progress(count)
    return count


# --- report rows and background jobs -------------------------------------------------------------
def direct_limit() -> int:
    """Reports up to this many rows download at once; larger ones run as a background job."""
    from django.conf import settings

    return getattr(settings, "ESERVICE_EXPORT_DIRECT_LIMIT", 5000)


class _ClientRequest:
    """What the filters need of a request, for a worker that has none: the active client."""

    def __init__(self, client):
        self.client = client


def report_queryset(client, params) -> QuerySet | None:
    """The report's rows for these URL parameters, in the page's order; None if a filter is bad."""
    from eservices.filters import SORTS, EServiceFilter
    from eservices.models import EService
    from eservices.queries import received

    filterset = EServiceFilter(
        params,
        queryset=received(EService.objects.for_client(client)),
        request=_ClientRequest(client),
    )
    if not filterset.is_valid():
        return None
    sort, _notice = SORTS.parse(params.get("sort"))
    return filterset.qs.order_by(*sort.ordering)
