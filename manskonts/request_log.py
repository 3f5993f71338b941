"""One log line per request: method, route, status, duration, and ids that name no person.

The user is logged by internal id only; personal codes, query strings (filters may hold object
designations) and payment details never reach the log.
"""

from __future__ import annotations

import logging
import time
import uuid

log = logging.getLogger("manskonts.request")


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        client = getattr(request, "client", None)
        route = match.route if match else ""
        log.info(
            "%s %s %s %.1fms",
            request.method,
            route or "-",
            response.status_code,
            duration_ms,
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "route": route,
                "view": match.view_name if match else "",
                "status": response.status_code,
                "duration_ms": round(duration_ms, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "client_id": client.pk if client is not None else None,
            },
        )
        response["X-Request-ID"] = request.request_id
        return response
