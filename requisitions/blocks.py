"""The requests' blocks on the client's pages (manskonts.page_blocks): in each order part's
section and on the e-service page the requests with what is needed, by when and the answers so
far; on the overview the box "Jums jārīkojas" with the count of requests awaiting the client."""

from __future__ import annotations

from manskonts.page_blocks import PageBlock, register
from requisitions import client as client_side


def part_requests(request, parts) -> dict:
    grouped = client_side.for_targets(request.client, parts=parts)
    return {pk: {"requests": requests} for pk, requests in grouped.items()}


def eservice_requests(request, eservices) -> dict:
    grouped = client_side.for_targets(request.client, eservices=eservices)
    return {pk: {"requests": requests} for pk, requests in grouped.items()}


def action_needed(request, clients) -> dict:
    """The overview's box: shown only when a request waits for the client (2 queries then, 1
    otherwise)."""
    client = clients[0]
    if client is None or client != request.client:
        return {}
    waiting = client_side.awaiting(client)
    count = waiting.order_by().values("pk").count()
    if not count:
        return {}
    first = list(
        waiting.select_related("order_part__order", "eservice").order_by("deadline", "id")[:5]
    )
    return {client.pk: {"awaiting_count": count, "awaiting_requests": first}}


register(
    PageBlock("requisitions-part", "order_part", "requisitions/_part_requests.html", part_requests)
)
register(
    PageBlock(
        "requisitions-eservice",
        "eservice_detail",
        "requisitions/_eservice_requests.html",
        eservice_requests,
    )
)
register(
    PageBlock(
        "requisitions-action",
        "overview",
        "requisitions/_action_needed.html",
        action_needed,
        order=10,
    )
)
