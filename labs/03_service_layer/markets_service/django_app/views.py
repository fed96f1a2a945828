"""Django REST framework views: parse, call the service, shape the reply. No rules here.

Domain errors are translated once, in `exception_handler`, which the settings name as
DRF's `EXCEPTION_HANDLER`; every view just lets them propagate.
"""

from __future__ import annotations

from typing import Any

from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response


@api_view(["POST"])
def create_market(request: Request) -> Response:
    """201 with the new market."""
    raise NotImplementedError(
        "TODO(task 6): call service.create_market; answer 201 with market_json — see README task 6"
    )


@api_view(["GET"])
def search_markets(request: Request) -> Response:
    """200 with `{"results": [{"market": …, "score": …}, …]}`, best first."""
    raise NotImplementedError(
        "TODO(task 6): call service.search_markets; 200, hits in its order — see README task 6"
    )


@api_view(["GET"])
def get_market(request: Request, market_id: int) -> Response:
    """200 with the market."""
    raise NotImplementedError(
        "TODO(task 6): call service.get_market; answer 200 with market_json — see README task 6"
    )


@api_view(["POST"])
def transition_market(request: Request, market_id: int) -> Response:
    """200 with the market in its new status."""
    raise NotImplementedError(
        "TODO(task 6): call service.transition; answer 200 with market_json — see README task 6"
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error in the JSON envelope.

    A DomainError gets its status from `error_status`; DRF's own errors (a malformed body,
    a 405) keep the status and headers DRF chose. Anything else returns None: a plain 500.
    """
    raise NotImplementedError(
        "TODO(task 6): a DomainError → error_status + error_body; DRF's own errors → DRF's "
        "response with its body in the envelope — see README task 6"
    )
