"""Task 5 — one translation from domain errors to HTTP, shared by the three apps."""

from __future__ import annotations

import pytest

from markets_service.domain import (
    Conflict,
    DomainError,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from markets_service.web import error_body, error_status

EXPECTED = [
    (NotFound, 404, "the market does not exist"),
    (Conflict, 409, "the request clashes with existing data"),
    (InvalidTransition, 409, "the request clashes with the market's current status"),
    (ValidationFailed, 400, "the input itself is unacceptable (the workbook never answers 422)"),
]


@pytest.mark.core
@pytest.mark.task(5)
@pytest.mark.parametrize(("error_class", "status", "why"), EXPECTED)
def test_error_status_maps_each_domain_error(
    error_class: type[DomainError], status: int, why: str
) -> None:
    got = error_status(error_class("boom"))
    assert got == status, (
        f"error_status({error_class.__name__}(...)) returned {got}; expected {status} because "
        f"{why}. 400 is for input that is wrong in itself, 409 for a request that clashes with "
        "what the server holds, 500 for its own bugs (task 5)"
    )


@pytest.mark.core
@pytest.mark.task(5)
def test_error_status_of_a_subclass_follows_its_parent() -> None:
    class SlugReserved(Conflict):
        code = "slug_reserved"

    got = error_status(SlugReserved("the slug 'admin' is reserved"))
    assert got == 409, (
        f"error_status(SlugReserved(...)), a subclass of Conflict, returned {got}; a new "
        "error class inherits its parent's status without a new table row (task 5)"
    )


@pytest.mark.core
@pytest.mark.task(5)
def test_error_body_is_the_json_envelope() -> None:
    error = Conflict("the slug 'rain' is already taken", details={"slug": "rain"})
    body = error_body(error)
    expected = {
        "error": {
            "code": "conflict",
            "message": "the slug 'rain' is already taken",
            "details": {"slug": "rain"},
        }
    }
    assert body == expected, (
        f"error_body(Conflict(...)) returned {body!r}; expected the envelope {expected!r}: "
        "the error's code, message and details under one 'error' key (task 5)"
    )


@pytest.mark.core
@pytest.mark.task(5)
def test_error_body_keeps_empty_details_as_an_object() -> None:
    body = error_body(NotFound("market 7 does not exist"))
    expected = {"error": {"code": "not_found", "message": "market 7 does not exist", "details": {}}}
    assert body == expected, (
        f"error_body(NotFound('market 7 does not exist')) returned {body!r}; expected "
        f"{expected!r}: every envelope has code, message and details, and details is an "
        "object even when there is nothing to add — a client reads error.details without "
        "checking that it exists (task 5)"
    )


@pytest.mark.core
@pytest.mark.task(5)
def test_error_status_of_an_unlisted_domain_error_is_400() -> None:
    class QuotaExceeded(DomainError):
        code = "quota_exceeded"

    got = error_status(QuotaExceeded("too many markets today"))
    assert got == 400, (
        f"error_status(QuotaExceeded(...)), a DomainError the table does not list, returned "
        f"{got}; a business rule said no to this request, so the default is 400 — never a "
        "500, which would blame the server (task 5)"
    )
