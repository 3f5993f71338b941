"""Blocks that higher apps add to the client's pages, without the pages importing them.

A page names its places (slots) with the `page_blocks` template tag; an app above it registers a
`PageBlock` for a slot from its `AppConfig.ready` (`page_blocks.register(PageBlock(...))`), like
the clerk's desk (manskonts/desk.py). The slots:

    "overview"        the overview Mans konts, at the top       object: the acting client
    "order_detail"    the order page, under the order's facts   object: the order
    "order_part"      the order page, in each part's section    object: the part (among: parts)
    "eservice_detail" the e-service page, under its facts       object: the e-service
    "order_end"       the order page, last (the conversation)   object: the order
    "order_list"      the order list, under its heading         object: the acting client
    "eservice_end"    the e-service page, last                  object: the e-service

A block's `load(request, objects)` reads what it needs for all the page's objects at once and
returns {object's pk: template context} (an object left out shows nothing), so a page's query
count stays fixed however many parts it has: the tag loads a slot once per page, for the list
given as `among` (or the one object), and keeps the result on the request.

    {% page_blocks "order_part" part among=parts %}
    {% page_blocks "eservice_detail" eservice %}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

SLOTS = (
    "overview",
    "order_detail",
    "order_part",
    "eservice_detail",
    "order_end",
    "eservice_end",
    "order_list",
)


@dataclass(frozen=True)
class PageBlock:
    key: str
    slot: str  # one of SLOTS
    # A template name (or a django.template.Template), rendered with the page's context plus
    # what load returned for the object
    template: Any
    # (request, objects) -> {object.pk: context}: one read for all objects of the page
    load: Callable[[HttpRequest, Sequence[Any]], Mapping[Any, Mapping[str, Any]]]
    order: int = 100


_blocks: dict[str, PageBlock] = {}


def register(block: PageBlock) -> PageBlock:
    """Add (or replace, by key) a block of a page."""
    if block.slot not in SLOTS:
        raise ValueError(f"unknown page slot {block.slot!r} (one of {', '.join(SLOTS)})")
    _blocks[block.key] = block
    return block


def unregister(key: str) -> None:
    _blocks.pop(key, None)


def registered(slot: str) -> list[PageBlock]:
    return sorted((b for b in _blocks.values() if b.slot == slot), key=lambda b: (b.order, b.key))


def _pk(obj) -> Any:
    return getattr(obj, "pk", obj)


def contexts_for(
    request: HttpRequest, slot: str, obj, among: Sequence[Any] | None = None
) -> list[tuple[PageBlock, Mapping[str, Any]]]:
    """The blocks of `slot` shown for `obj`, each with its context; each block's load runs once
    per request and slot (for `among`, or [obj]), its result kept on the request."""
    cache: dict = request.__dict__.setdefault("_page_blocks", {})
    objects = list(among) if among is not None else [obj]
    shown = []
    for block in registered(slot):
        cache_key = (slot, block.key, tuple(_pk(o) for o in objects))
        if cache_key not in cache:
            cache[cache_key] = block.load(request, objects)
        context = cache[cache_key].get(_pk(obj))
        if context is not None:
            shown.append((block, context))
    return shown
