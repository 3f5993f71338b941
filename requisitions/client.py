"""What the client's pages show of requests: the requests of a part or an e-service with their
checklist, answers and history, read in a fixed number of queries (for the page blocks of the
order page, the e-service page and the overview, and the answer page)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from documents.models import Document
from requisitions.models import Answer, AnswerItem, Request, RequestEvent
from requisitions.services import answer_refusal
from requisitions.workflow import AWAITING_CLIENT


def visible_to(client) -> QuerySet:
    """The requests the acting client may see: those on its own order parts and e-services (read
    through the part's or e-service's client, which moves with an order given to another client)."""
    return Request.objects.filter(Q(order_part__client=client) | Q(eservice__client=client))


def awaiting(client) -> QuerySet:
    """The requests waiting for this client's answer on a part or e-service still open."""
    return visible_to(client).filter(
        Q(order_part__awaiting_reply=True) | Q(eservice__awaiting_reply=True),
        state__in=AWAITING_CLIENT,
    )


def with_everything(queryset: QuerySet) -> QuerySet:
    """Requests with their checklist, answers (their items and files) and history: 6 queries."""
    return queryset.select_related(
        "order_part__order", "order_part__service", "eservice"
    ).prefetch_related(
        "items",
        Prefetch(
            "answers",
            queryset=Answer.objects.order_by("created_at", "id").prefetch_related(
                Prefetch(
                    "items",
                    queryset=AnswerItem.objects.select_related("item").prefetch_related(
                        Prefetch(
                            "documents", queryset=Document.objects.order_by("uploaded_at", "id")
                        )
                    ),
                )
            ),
        ),
        Prefetch("events", queryset=RequestEvent.objects.order_by("at", "id")),
    )


# The colour of a request's state tag (GOV.UK tags): waiting for the client stands out.
STATE_TAGS = {
    "open": "govuk-tag--yellow",
    "asked_again": "govuk-tag--yellow",
    "answered": "govuk-tag--blue",
    "accepted": "govuk-tag--green",
    "expired": "govuk-tag--red",
    "terminated": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
}


def days_left_text(request: Request, today=None) -> str:
    return request.days_left_text(today)


def describe(request: Request, today=None) -> Request:
    """Set on a request (read by with_everything) what its block shows."""
    today = today or timezone.localdate()
    request.awaiting = request.state in AWAITING_CLIENT
    request.tag_class = STATE_TAGS.get(request.state, "govuk-tag--grey")
    request.refusal = answer_refusal(request)
    request.can_answer = request.refusal is None
    request.days_text = days_left_text(request, today) if request.awaiting else ""
    request.urgent = request.awaiting and request.days_left(today) <= 7
    answers = list(request.answers.all())
    request.submitted_answers = [a for a in answers if not a.is_draft]
    request.draft = next((a for a in answers if a.is_draft), None)
    events = list(request.events.all())
    request.history = events
    request.asked_again = [e for e in events if e.action == RequestEvent.Action.ASKED_AGAIN]
    request.termination = next(
        (e.note for e in reversed(events) if e.action == RequestEvent.Action.TERMINATED), ""
    )
    for answer in answers:
        answer.entries = {entry.item_id: entry for entry in answer.items.all()}
        for entry in answer.entries.values():
            entry.files = list(entry.documents.all())
    return request


def for_targets(client, *, parts=(), eservices=()) -> dict[int, list[Request]]:
    """The client's requests of these parts (by part id) or e-services (by e-service id), newest
    first, each described; one read for all of them."""
    part_ids = [p.pk for p in parts]
    eservice_ids = [e.pk for e in eservices]
    if not part_ids and not eservice_ids:
        return {}
    queryset = visible_to(client).filter(
        Q(order_part_id__in=part_ids) | Q(eservice_id__in=eservice_ids)
    )
    grouped: dict[int, list[Request]] = defaultdict(list)
    today = timezone.localdate()
    for request in with_everything(queryset).order_by("-raised_at", "-id"):
        key = request.order_part_id if part_ids else request.eservice_id
        grouped[key].append(describe(request, today))
    return grouped
