"""The e-service report as an Excel workbook (manskonts/excel.py: openpyxl's workbook, the rows
written from the table's declaration), rows read from a server-side cursor in chunks, so memory
stays flat however many rows there are."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Func, OuterRef, QuerySet, TextField, Value
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from eservices.filters import EServiceFilter
from eservices.models import EService
from eservices.queries import received
from eservices.tables import SORTS, TABLE
from manskonts.excel import ExcelSheet
from orders.models import Order

CHUNK_SIZE = 2000
PROGRESS_EVERY = 10000


def export_rows(queryset: QuerySet, fields: tuple[str, ...]):
    """Plain tuples of `fields` (the report's columns, eservices/tables.py), dates already local
    calendar days and the related order numbers joined ("2026-0000001, 2026-0000007"), both by
    PostgreSQL in the one query; read from a server-side cursor in chunks; no model instances."""
    tz = timezone.get_current_timezone()
    numbers = Order.objects.filter(eservices=OuterRef("pk")).order_by("number").values("number")
    return (
        queryset.annotate(
            created_day=TruncDate("created_at", tzinfo=tz),
            changed_day=TruncDate("status_changed_at", tzinfo=tz),
            received_day=TruncDate("received_at", tzinfo=tz),
            order_numbers_text=Func(
                ArraySubquery(numbers),
                Value(", "),
                function="array_to_string",
                output_field=TextField(),
            ),
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


def write_report(
    queryset: QuerySet,
    target: IO[bytes],
    *,
    with_user: bool,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the rows of `queryset` (already filtered and ordered) to `target`; return the count.

    The sheet's columns are the table's (eservices.tables.TABLE), the "Lietotājs" one with_user."""
    sheet = ExcelSheet(_("E-pakalpojumi"), TABLE.excel_columns(user=with_user))
    sheet.header()
    for chunk in _chunks(export_rows(queryset, sheet.fields), CHUNK_SIZE):
        sheet.append(chunk)
        if progress is not None and sheet.count % PROGRESS_EVERY < CHUNK_SIZE:
            progress(sheet.count)
    sheet.save(target)
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
