"""Task 5: every route, through your whole pipeline, against the hostile-input battery.

`patterns_workbook.testing.hostile` sends each route what careless and malicious clients
send; `checks.PipelineClient` also requires X-Request-ID and Server-Timing on every one of
those replies, and the envelope's request_id to be the header's.
"""

from __future__ import annotations

import pytest
from checks import AS_ADA, PipelineClient

from markets_middleware.auth import PASSWORDS
from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route

LOGIN = {"username": "ada", "password": PASSWORDS["ada"]}
ROUTES = [
    Route("GET", "/api/health", task=5),
    Route("POST", "/api/auth/login", task=5, body=LOGIN),
    Route("GET", "/api/auth/me", task=5, headers=AS_ADA),
    Route("GET", "/api/markets", task=5),
    Route("GET", "/api/markets/{id}", task=5),
    Route("DELETE", "/api/markets/{id}", task=5, headers=AS_ADA),
    Route("GET", "/api/markets/{id}/positions", task=5, headers=AS_ADA),
]


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(api, route: Route) -> None:
    hostile.assert_survives(PipelineClient(api()), route, ids={"id": 1})


@pytest.mark.task(5)
def test_unserved_methods_are_405_with_a_complete_allow(api) -> None:
    hostile.assert_methods_refused(PipelineClient(api()), ROUTES, ids={"id": 1})
