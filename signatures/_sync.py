"""Run the certificate libraries' synchronous entry points and coroutines from synchronous code.

pyhanko-certvalidator and pyHanko's checks are coroutines, and pyHanko's own synchronous
functions (validate_pdf_signature, sign_pdf) call `asyncio.run`. That refuses to start when the
calling thread already runs an event loop (an ASGI server, a Celery pool on an event loop,
Playwright's sync API in the tests), so there the work runs in a short-lived thread of its own;
everywhere else it runs here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def outside_event_loop(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="signatures") as pool:
        return pool.submit(function, *args, **kwargs).result()


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    return outside_event_loop(asyncio.run, coroutine)
