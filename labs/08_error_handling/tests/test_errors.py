"""Task 1 (and `http_error`, task 5): the ApiError hierarchy, framework-free."""

from __future__ import annotations

import pytest

from markets_errors.errors import (
    ApiError,
    Conflict,
    InternalError,
    MalformedJson,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
    http_error,
)

pytestmark = pytest.mark.core

TABLE = [
    (NotFound, 404, "not_found"),
    (Conflict, 409, "conflict"),
    (PermissionDenied, 403, "permission_denied"),
    (MethodNotAllowed, 405, "method_not_allowed"),
    (UnsupportedMediaType, 415, "unsupported_media_type"),
    (MalformedJson, 400, "invalid_json"),
    (InternalError, 500, "internal_error"),
]


def _build(cls: type[ApiError]) -> ApiError:
    if cls is ValidationFailed:
        return ValidationFailed({"name": ["Required."]})
    if cls is Unauthorized:
        return Unauthorized(challenge='Bearer realm="markets"')
    if cls is RateLimited:
        return RateLimited(5)
    return cls()


ALL = [row[0] for row in TABLE] + [ValidationFailed, Unauthorized, RateLimited]
STATUS = {cls: status for cls, status, _ in TABLE} | {
    ValidationFailed: 400,
    Unauthorized: 401,
    RateLimited: 429,
}
CODE = {cls: code for cls, _, code in TABLE} | {
    ValidationFailed: "validation_failed",
    Unauthorized: "unauthorized",
    RateLimited: "rate_limited",
}


@pytest.mark.task(1)
@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_each_error_has_its_status_and_code(cls: type[ApiError]) -> None:
    error = _build(cls)
    assert issubclass(cls, ApiError) and isinstance(error, Exception), (
        f"{cls.__name__} is an ApiError (and so an Exception): one handler per framework "
        "catches the base class (task 1)"
    )
    got = (error.status, error.code)
    assert got == (STATUS[cls], CODE[cls]), (
        f"{cls.__name__}() has status and code {got}; expected {(STATUS[cls], CODE[cls])}: "
        "clients branch on the code, so it is part of the contract (task 1)"
    )
    assert isinstance(error.message, str) and error.message.strip(), (
        f"{cls.__name__}() has message {error.message!r}; every error has a sentence for "
        "humans, its class's default when none is given (task 1)"
    )
    assert str(error) == error.message, (
        f"str({cls.__name__}()) is {str(error)!r}, its message {error.message!r}: pass the "
        "message to Exception.__init__ (task 1)"
    )


@pytest.mark.task(1)
@pytest.mark.parametrize("cls", [NotFound, Conflict, PermissionDenied], ids=lambda c: c.__name__)
def test_a_message_replaces_the_default_and_details_and_headers_start_empty(
    cls: type[ApiError],
) -> None:
    error = cls("No market with id 7.")
    assert error.message == "No market with id 7." == str(error), (
        f"{cls.__name__}('No market with id 7.').message is {error.message!r} (task 1)"
    )
    assert error.details == {} and error.headers == {}, (
        f"{cls.__name__}(...) has details {error.details} and headers {error.headers}; both "
        "start empty: only some statuses carry headers (task 1)"
    )
    assert cls().message == cls.default_message, (
        f"{cls.__name__}() has message {cls().message!r}, not its default_message (task 1)"
    )


@pytest.mark.task(1)
def test_no_two_errors_share_a_headers_or_details_dict() -> None:
    first, second = NotFound(), NotFound()
    first.headers["X-Leak"] = "yes"
    first.details["name"] = ["leaked"]
    assert second.headers == {} and second.details == {}, (
        f"after changing one NotFound's headers and details, another has {second.headers} "
        f"and {second.details}: a mutable default (or a class attribute) is shared by every "
        "error ever raised — build a new dict in __init__ (task 1)"
    )


@pytest.mark.task(1)
def test_two_errors_built_from_one_headers_dict_each_keep_a_copy() -> None:
    sent = {"X-Trace": "t-1"}
    first, second = ApiError(headers=sent), ApiError(headers=sent)
    first.headers["Retry-After"] = "5"
    assert second.headers == {"X-Trace": "t-1"} and sent == {"X-Trace": "t-1"}, (
        "two ApiError(headers=sent) from one dict; after adding Retry-After to the first "
        f"error's headers, the second has {second.headers} and the caller's dict is {sent}: "
        "keep a copy of headers — `headers or {}` keeps the caller's own dict whenever it is "
        "not empty, so every error built from it (a module constant, say) shares and changes "
        "it (task 1)"
    )


@pytest.mark.task(1)
def test_validation_failed_keeps_a_copy_of_its_per_field_messages() -> None:
    sent = {"name": ("Required.",), "slug": ["Bad.", "Too long."]}
    error = ValidationFailed(sent)
    assert error.details == {"name": ["Required."], "slug": ["Bad.", "Too long."]}, (
        f"ValidationFailed({sent}).details is {error.details}; details map each field to a "
        "list of messages (JSON has no tuples) (task 1)"
    )
    sent["slug"].append("later")  # type: ignore[union-attr]
    assert error.details["slug"] == ["Bad.", "Too long."], (
        "changing the dict given to ValidationFailed changed the error's details: copy each "
        "list (task 1)"
    )
    assert ValidationFailed({"a": ["x"]}, "Check the fields.").message == "Check the fields.", (
        "ValidationFailed(details, message) takes a message second (task 1)"
    )


@pytest.mark.task(1)
def test_unauthorized_carries_its_challenge() -> None:
    error = Unauthorized(challenge='Bearer realm="markets"')
    assert error.headers == {"WWW-Authenticate": 'Bearer realm="markets"'}, (
        f"Unauthorized(challenge=...).headers is {error.headers}; a 401 MUST carry "
        "WWW-Authenticate with the challenge (RFC 9110 §15.5.2) (task 1)"
    )
    assert Unauthorized("Token expired.", challenge="Bearer").message == "Token expired."


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("wait", "header"),
    [(5, "5"), (2.0, "2"), (2.5, "3"), (0.2, "1"), (59.01, "60"), (0, "1"), (-3, "1")],
)
def test_rate_limited_says_when_to_retry_in_whole_seconds_rounded_up(
    wait: float, header: str
) -> None:
    error = RateLimited(wait)
    assert error.headers == {"Retry-After": header}, (
        f"RateLimited({wait}).headers is {error.headers}; expected Retry-After: {header}. It is "
        "whole seconds (RFC 9110 §10.2.3), rounded up — a client that waits 2 s when 2.5 "
        "remain is refused again — and at least 1: 0 invites an instant retry (task 1)"
    )
    assert RateLimited(3, "Slow down.").message == "Slow down."


@pytest.mark.task(1)
def test_title_is_the_reason_phrase_of_the_status() -> None:
    got = {cls.__name__: _build(cls).title for cls in (NotFound, RateLimited, ValidationFailed)}
    assert got == {
        "NotFound": "Not Found",
        "RateLimited": "Too Many Requests",
        "ValidationFailed": "Bad Request",
    }, f"titles {got} (given: the reason phrase of the status) (task 1)"


@pytest.mark.task(5)
@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "invalid_json", MalformedJson),
        (401, "unauthorized", Unauthorized),
        (404, "not_found", NotFound),
        (405, "method_not_allowed", MethodNotAllowed),
        (415, "unsupported_media_type", UnsupportedMediaType),
        (429, "rate_limited", RateLimited),
        (500, "internal_error", InternalError),
    ],
)
def test_http_error_speaks_the_apis_words_for_a_framework_status(
    status: int, code: str, cls: type[ApiError]
) -> None:
    error = http_error(status, {})
    got = (error.status, error.code, error.message)
    expected = (status, code, cls.default_message)
    assert isinstance(error, ApiError) and got == expected, (
        f"http_error({status}) is {got}; expected {expected}: the framework's own {status} "
        "gets the code and default message of the API's own error for that status, so a "
        "router's 404 reads like a view's (task 5)"
    )


@pytest.mark.task(5)
def test_http_error_for_a_status_no_class_names() -> None:
    error = http_error(406, {})
    got = (error.status, error.code, error.message)
    assert got == (406, "not_acceptable", "Not Acceptable."), (
        f"http_error(406) is {got}; a status no class names gets its reason phrase as the "
        "code, snake_case, and as the message (task 5)"
    )
    assert http_error(406, {"Allow": "GET"}).headers == {"Allow": "GET"}, (
        "http_error(406, headers) keeps the preserved headers too (task 5)"
    )


@pytest.mark.task(5)
def test_http_error_keeps_the_headers_the_status_needs_and_drops_the_rest() -> None:
    sent = {
        "Content-Type": "text/html; charset=utf-8",
        "allow": "GET, POST",
        "Retry-After": "30",
        "WWW-Authenticate": "Bearer",
        "Set-Cookie": "session=1",
    }
    error = http_error(405, sent)
    assert error.headers == {
        "allow": "GET, POST",
        "Retry-After": "30",
        "WWW-Authenticate": "Bearer",
    }, (
        f"http_error(405, {sent}).headers is {error.headers}; keep Allow, Retry-After and "
        "WWW-Authenticate (in any case: header names are case-insensitive) — a 405 without "
        "Allow, a 429 without Retry-After, a 401 without WWW-Authenticate break their "
        "status's contract — and drop the rest: the framework's Content-Type described its "
        "HTML page, not the JSON sent (errors.PRESERVED_HEADERS) (task 5)"
    )
