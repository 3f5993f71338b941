"""Run one of the certificate libraries' coroutines from synchronous code.

pyhanko-certvalidator and pyHanko's time-stamp checks are coroutines. `asyncio.run` refuses to
start when the calling thread already runs an event loop (an ASGI server, a Celery pool on an
event loop, Playwright's sync API in the tests), so there the coroutine runs on a loop of its own
in a short-lived thread; everywhere else `asyncio.run` runs it here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="signatures") as pool:
        return pool.submit(asyncio.run, coroutine).result()
