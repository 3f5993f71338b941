from accounts.acting_for import resolve_client


class ActingForMiddleware:
    """Sets request.client: the client the signed-in person acts for (None when signed out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client = resolve_client(request)
        return self.get_response(request)
