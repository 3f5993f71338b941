"""The e-service report as an Excel workbook: openpyxl in write-only mode, rows read from a
server-side cursor in chunks, so memory stays flat however many rows there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from eservices.filters import EServiceFilter
from eservices.models import EService
from eservices.queries import received
from eservices.tables import SORTS, TABLE
from manskonts.excel import ExcelSheet

CHUNK_SIZE = 2000
PROGRESS_EVERY = 10000


def export_rows(queryset: QuerySet, fields: tuple[str, ...]):
    """Plain tuples of `fields` (the report's columns, eservices/tables.py), dates already local
    calendar days (computed by PostgreSQL), read from a server-side cursor in chunks; no model
    instances."""
    tz = timezone.get_current_timezone()
    return (
        queryset.annotate(
            created_day=TruncDate("created_at", tzinfo=tz),
            changed_day=TruncDate("status_changed_at", tzinfo=tz),
            received_day=TruncDate("received_at", tzinfo=tz),
        )
        .values_list(*fields)
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
    """Write the rows of `queryset` (already filtered and ordered) to `target`; return the count.

    The sheet's columns are the table's (eservices.tables.TABLE), the "Lietotājs" one with_user."""
    workbook = Workbook(write_only=True)
    sheet = ExcelSheet(
        workbook.create_sheet(_("E-pakalpojumi")), TABLE.excel_columns(user=with_user)
    )
    sheet.header()
    pk = sheet.index("id")
    for chunk in _chunks(export_rows(queryset, sheet.fields), CHUNK_SIZE):
        sheet.append(chunk, _order_numbers([row[pk] for row in chunk]))
        if progress is not None and sheet.count % PROGRESS_EVERY < CHUNK_SIZE:
            progress(sheet.count)
    sheet.finish()
    workbook.save(target)
    if progress is not None:
        progress(sheet.count)
    return sheet.count


# --- report rows and background jobs -------------------------------------------------------------
def direct_limit() -> int:
    """Reports up to this many rows download at once; larger ones run as a background job."""
    return settings.ESERVICE_EXPORT_DIRECT_LIMIT


class _ClientRequest:
    """What the filters need of a request, for a worker that has none: the active client."""

    def __init__(self, client):
        self.client = client


def report_queryset(client, params) -> QuerySet | None:
    """The report's rows for these URL parameters, in the page's order; None if a filter is bad."""
    filterset = EServiceFilter(
        params,
        queryset=received(EService.objects.for_client(client)),
        request=_ClientRequest(client),
    )
    if not filterset.is_valid():
        return None
    sort, _notice = SORTS.parse(params.get("sort"))
    return filterset.qs.order_by(*sort.ordering)
