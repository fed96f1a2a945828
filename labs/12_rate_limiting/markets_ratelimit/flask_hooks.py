"""The rate limit as Flask request hooks (task 4, Flask track). The learner's file."""

from __future__ import annotations

from flask import Response

CONFIG_KEY = "markets_ratelimit"


def before_request() -> tuple[Response, int] | None:
    """Count the request; a refusal answers 429 here and the view never runs (task 4).

    The config is `current_app.extensions[CONFIG_KEY]`; keep the decision for
    `after_request` (`flask.g`).
    """
    raise NotImplementedError(
        "TODO(task 4): key the request, hit the limiter, answer 429 or return None — "
        "see README task 4"
    )


def after_request(response: Response) -> Response:
    """Every answer — a view's, an error handler's, the 429 — carries the headers (task 4)."""
    raise NotImplementedError(
        "TODO(task 4): add the RateLimit-* headers of this request's decision — see README task 4"
    )
