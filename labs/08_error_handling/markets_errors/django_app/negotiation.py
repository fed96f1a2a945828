"""Content negotiation for the DRF views (`DEFAULT_CONTENT_NEGOTIATION_CLASS`). Given.

Its own module: DRF imports it while `rest_framework.views` is being imported, so it may not
import that module (or views that do).
"""

from __future__ import annotations

from typing import Any

from rest_framework.negotiation import BaseContentNegotiation, DefaultContentNegotiation
from rest_framework.request import Request


class JsonAlways(BaseContentNegotiation):
    """The API answers JSON whatever `Accept` says: there `Accept` only chooses the error
    format. DRF's default negotiation would refuse `Accept: application/problem+json` with a
    406 before the view ran, on every route."""

    def select_parser(self, request: Request, parsers: Any) -> Any:
        return DefaultContentNegotiation().select_parser(request, parsers)

    def select_renderer(self, request: Request, renderers: Any, format_suffix: Any = None) -> Any:
        return renderers[0], renderers[0].media_type
