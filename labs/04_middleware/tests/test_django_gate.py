"""Task 4, Django: one gate object serves every request, so a request's user is the request's.

A threaded server runs requests at once through the same middleware objects. Django calls
the gate's `__call__` for a request, then — once the URL is resolved — its `process_view`;
another request can come and go in between. Here one does, exactly: a request with ada's
token runs from start to end while a request without a token is between the two.
"""

from __future__ import annotations

from typing import Any

import pytest
from checks import AS_ADA

pytestmark = [pytest.mark.django, pytest.mark.task(4)]


def test_overlapping_requests_each_get_their_own_user() -> None:
    from django.test import RequestFactory, override_settings
    from django.urls import resolve

    from markets_middleware.django_app.middleware import AuthGateMiddleware
    from markets_middleware.markets import MarketBook

    factory = RequestFactory()
    without_token = factory.get("/api/auth/me")
    with_token = factory.get("/api/auth/me", headers=AS_ADA)
    answers: dict[str, Any] = {}

    def get_response(request: Any) -> Any:  # what Django does inside the middleware chain
        if request is without_token:  # ada's request comes and goes in the meantime
            answers["with a token"] = gate(with_token)
        request.request_id = "overlap"
        match = resolve(request.path_info)
        request.resolver_match = match
        refused = gate.process_view(request, match.func, match.args, match.kwargs)
        return refused or match.func(request, *match.args, **match.kwargs)

    gate = AuthGateMiddleware(get_response)
    with override_settings(MARKETS_BOOK=MarketBook()):
        answers["without a token"] = gate(without_token)
    got = {
        who: (reply.status_code, getattr(reply, "data", {}).get("username"))
        for who, reply in answers.items()
    }
    assert got == {"with a token": (200, "ada"), "without a token": (401, None)}, (
        "GET /api/auth/me without a token was between the gate's __call__ and its "
        "process_view when GET /api/auth/me as ada ran from start to end; the two answered "
        f"{got} (status, username the view saw), expected ada's 200 and a 401 for the "
        "request without a token. One middleware object serves every request at once: a "
        "user kept on self (or in a global) between __call__ and process_view is the last "
        "request's, not this one's — read the header in process_view, keep the user in a "
        "local variable and on the request (task 4)"
    )
