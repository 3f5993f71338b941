"""The pages' list machinery for the API: the same FilterSet, the same sort whitelist and the same
signed keyset cursors as the page (manskonts/listing.py), strict where the page is forgiving: an
unknown sort, a bad cursor or an invalid filter is a 400 problem, never a silent first page."""

from __future__ import annotations

import hashlib
import json

from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext as _

from api.problems import Problem
from manskonts.listing import COUNT_LIMIT, BadCursor, Page, SortChoices, keyset_page

MAX_LIMIT = 100


def sort_enum(sorts: SortChoices) -> list[str]:
    """Every ?sort= value the list takes: each key, ascending and descending."""
    return [value for key in sorts.options for value in (key, f"-{key}")]


def query_dict(values: dict) -> QueryDict:
    params = QueryDict(mutable=True)
    for name, value in values.items():
        if value is None:
            continue
        params[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return params


def api_page(
    request,
    filterset_class,
    queryset,
    sorts: SortChoices,
    filters: dict,
    *,
    sort: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[Page, object]:
    """One page of the list, as the page would show it for the same filters and sort."""
    parsed, notice = sorts.parse(sort)
    if notice:
        raise Problem(400, "invalid_sort", notice, errors={"sort": [notice]})
    filterset = None
    if filterset_class is not None:
        filterset = filterset_class(query_dict(filters), queryset=queryset, request=request)
        if not filterset.is_valid():
            errors = {
                name: [str(m) for m in messages] for name, messages in filterset.errors.items()
            }
            raise Problem(400, "invalid_filter", _("Labojiet filtrus."), errors=errors)
        queryset = filterset.qs
    try:
        page = keyset_page(queryset, parsed, cursor, page_size=limit, strict=True)
    except BadCursor:
        detail = _("Kursors nav derīgs: sāciet no pirmās lapas bez cursor.")
        raise Problem(400, "invalid_cursor", detail, errors={"cursor": [detail]}) from None
    return page, filterset


def page_meta(page: Page) -> dict:
    return {
        "next_cursor": page.next_cursor or None,
        "previous_cursor": page.previous_cursor or None,
        "has_next": page.has_next,
        "has_previous": page.has_previous,
        "count": page.count,
        "count_exceeds_limit": page.count_exceeds,
        "count_limit": COUNT_LIMIT,
    }


def json_response(schema, data, status: int = 200) -> HttpResponse:
    """The answer as ninja would write it, but as a response (for api.idempotency to keep)."""
    body = json.dumps(schema.model_validate(data).model_dump(mode="json"), ensure_ascii=False)
    return HttpResponse(body.encode(), status=status, content_type="application/json")


def detail_body(schema, data) -> tuple[bytes, str]:
    """A detail's JSON and its strong ETag (the same for the GET and a write's answer)."""
    body = json.dumps(
        schema.model_validate(data).model_dump(mode="json"), ensure_ascii=False, sort_keys=True
    ).encode()
    return body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def etag_response(request, schema, data) -> HttpResponse:
    """A detail's JSON with a strong ETag of its bytes; 304 when If-None-Match names it."""
    body, etag = detail_body(schema, data)
    wanted = [
        tag.strip().removeprefix("W/")
        for tag in request.headers.get("If-None-Match", "").split(",")
    ]
    if etag in wanted or "*" in wanted:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
