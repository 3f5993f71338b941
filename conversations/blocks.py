"""The conversation on the client's order and e-service pages (manskonts.page_blocks): the whole
thread last on the page ("order_end", "eservice_end"), and under the facts a line saying how many
new messages VZD wrote, or offering 'Uzdot jautājumu' (both link down to the thread). The two
blocks of a page read the thread once (kept on the request), so opening the page marks VZD's
messages read once and both blocks still show which were new. The order list links to 'Uzdot
jautājumu' about any order."""

from __future__ import annotations

from django.http import HttpRequest

from conversations.views import thread_context
from manskonts.page_blocks import PageBlock


def _context(request: HttpRequest, target) -> dict:
    cache = request.__dict__.setdefault("_conversations", {})
    key = (type(target).__name__, target.pk)
    if key not in cache:
        context = thread_context(request, target)
        context["thread_new_count"] = sum(1 for m in context["thread_messages"] if m.is_new)
        cache[key] = context
    return cache[key]


def load(request: HttpRequest, objects) -> dict:
    return {obj.pk: _context(request, obj) for obj in objects}


def load_ask(request: HttpRequest, objects) -> dict:
    return {obj.pk: {} for obj in objects}


BLOCKS = [
    PageBlock("conversation_ask", "order_list", "conversations/_ask_link.html", load_ask),
    PageBlock(
        "conversation_summary_order", "order_detail", "conversations/_summary.html", load, 50
    ),
    PageBlock("conversation_order", "order_end", "conversations/_thread.html", load),
    PageBlock(
        "conversation_summary_eservice", "eservice_detail", "conversations/_summary.html", load, 50
    ),
    PageBlock("conversation_eservice", "eservice_end", "conversations/_thread.html", load),
]
