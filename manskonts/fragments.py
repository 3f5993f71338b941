"""HTML fragments kept by what they are written from, for the life of a process.

A list page writes the same filter fields and sort headers for every request that brings the same
query string, language and choices: through the form renderer the twelve filter fields alone cost a
list page's first request ~0.8 ms of CPU, a fifth of what the page costs beyond its bare rows
(issue 18, bench/profile_page.py). A `Fragments` keeps such HTML under a key that holds *everything*
the HTML is written from — the caller's duty: the language, the query string's values, the choices
offered (a legal person's users are part of the key, so one client's names never reach another's
page), today's date where a default depends on it — and writes it again when any of that differs.
At most `size` fragments are kept, the least recently used going first, so a crawler's endless
query strings cost memory bounded by the size. A setting that changes (tests: the URLconf, the
static files' names) forgets them all.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.safestring import SafeString

_every: list[Fragments] = []


class Fragments:
    def __init__(self, name: str, size: int = 512):
        self.name, self.size = name, size
        self._kept: OrderedDict[Hashable, SafeString] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share a process
        _every.append(self)

    def get(self, key: Hashable, write: Callable[[], SafeString]) -> SafeString:
        """The fragment kept under `key`, else `write()`'s, kept from now on."""
        with self._lock:
            html = self._kept.get(key)
            if html is not None:
                self._kept.move_to_end(key)
                return html
        html = write()
        with self._lock:
            self._kept[key] = html
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return html

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()

    def __len__(self) -> int:
        return len(self._kept)


@receiver(setting_changed)
def _forget_all(**kwargs) -> None:
    for fragments in _every:
        fragments.clear()
