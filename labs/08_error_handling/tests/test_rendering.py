"""Task 2: one renderer, two formats — the envelope, or problem+json when Accept prefers it."""

from __future__ import annotations

import pytest

from markets_errors.errors import Conflict, NotFound, RateLimited, ValidationFailed
from markets_errors.rendering import PROBLEM_TYPES, prefers_problem_json, render

pytestmark = [pytest.mark.core, pytest.mark.task(2)]

NEGOTIATION = [
    (None, False, "no Accept header: the envelope, the API's default"),
    ("", False, "an empty Accept header"),
    ("*/*", False, "*/* takes anything: the default format"),
    ("application/json", False, "plain JSON asked for by name"),
    ("application/*", False, "application/* matches both alike: the default"),
    ("application/problem+json", True, "problem+json by name"),
    ("APPLICATION/Problem+JSON", True, "media types are case-insensitive (RFC 9110 §8.3.1)"),
    ("application/problem+json, application/json;q=0.9", True, "problem ranked higher"),
    ("application/json, application/problem+json;q=0.5", False, "JSON ranked higher"),
    ("application/json;q=0.5, application/problem+json;q=0.8", True, "q decides, not order"),
    ("application/problem+json;q=0.8, application/json;q=0.5", True, "q decides"),
    ("application/problem+json, application/json", True, "a tie: the client named problem"),
    ("application/problem+json;q=0", False, "q=0 means 'not acceptable' (RFC 9110 §12.4.2)"),
    ("application/problem+json;q=0.5, */*", False, "*/* gives JSON q=1, above 0.5"),
    ("text/html, */*;q=0.1, application/problem+json;q=0.2", True, "0.2 above */*'s 0.1"),
    ("application/*;q=0.2, application/problem+json", True, "the exact range wins over type/*"),
    ("application/problem+json;q=0.3, application/*;q=0.9", False, "JSON gets application/*'s 0.9"),
    ("application/problem+jsonx", False, "another media type that starts alike"),
    ("application/problem+xml", False, "problem details in XML: not what this API sends"),
    ("text/application/problem+json", False, "not a media range at all"),
    (" application/problem+json ; q=0.7 , application/json ; q=0.6", True, "spaces around"),
    ("application/problem+json;Q=0.7, application/json;q=0.6", True, "parameter names fold"),
    ("application/problem+json;charset=utf-8;q=0.9, application/json;q=0.8", True, "params"),
    ("application/problem+json;q=0.5, application/json;q=nan", True, "q=nan is no qvalue"),
    ("application/problem+json;q=0.5, application/json;q=inf", True, "q=inf is no qvalue"),
    ("application/problem+json;q=0.5, application/json;q=2", True, "q=2 is no qvalue"),
    ("application/problem+json;q=0.5, application/json;q=1_0", True, "float() reads 1_0 as 10"),
    ("application/problem+json;q=0.5, application/json;q=-1", True, "a negative q is none"),
    ("application/problem+json;q=0.5, application/json;q=0.0001", True, "4 decimals: none"),
    ("application/problem+json;q=1.000, application/json;q=0.999", True, "3 decimals: fine"),
    ("application/problem+json;q=abc", False, "an unreadable q: that range is ignored"),
    ("application/problem+json;q=0, */*", False, "q=0 on problem+json itself outranks */*"),
    (
        "application/*;q=0.9, application/problem+json;q=0.3",
        False,
        "exact beats type/*, in any order",
    ),
    ("application/problem+json;q=0.5, */*;q=0.9, application/*;q=0.1", True, "type/* beats */*"),
    ("text/html, application/problem+json;q=0.5", True, "text/html gives JSON nothing"),
    ("application/problem+json;q=", False, "an empty q: ignored"),
    ("application/problem+json;q=0.0001", False, "4 decimals: no qvalue, the range is ignored"),
    ("application/problem+json;q=1e-3", False, "an exponent: no qvalue (float() reads it)"),
    ("application/problem+json;q=0.0_1", False, "an underscore: no qvalue (float() reads it)"),
    ("application/problem+json;q=1.0000", False, "4 decimals, even of 1: no qvalue"),
    ("application/problem+json;q=\u0660.\u0665", False, "Arabic-Indic digits: float() reads 0.5"),
    ("application/problem+jsonx, */*", False, "problem+json named by no range: */* → envelope"),
    ("application/problem+json;q=abc, */*", False, "its only range ignored: not named, */* wins"),
    ("Application/*;q=0.9, application/problem+json;q=0.3", False, "type/* folds case too"),
    ("application/problem+json ; q=0", False, "q=0 with spaces around ';' (RFC 9110 §5.6.6)"),
    ("application/problem+json ; q=0.3, application/json", False, "its q=0.3, with spaces"),
    (
        "application/problem+json;q=0.5, application/json;q=0, */*",
        True,
        "JSON refused by its own range (q=0), whatever */* says: the most specific range wins",
    ),
]


@pytest.mark.parametrize(
    ("accept", "expected", "why"), NEGOTIATION, ids=[str(n[0]) for n in NEGOTIATION]
)
def test_prefers_problem_json_follows_the_accept_header(
    accept: str | None, expected: bool, why: str
) -> None:
    got = prefers_problem_json(accept)
    assert got is expected, (
        f"prefers_problem_json({accept!r}) is {got}; expected {expected}: {why}. Problem+json "
        "only when a valid range names it (a substring is not a range; an ignored range names "
        "nothing) and its q (that of the most specific range matching it) is above 0 and at "
        "least plain JSON's; a q that is not 0-1 with up to 3 ASCII decimals makes its range "
        "ignored — float() takes 'nan', 'inf', '1_0', '1e-3' and Unicode digits; media types "
        "(wildcards too) fold case; strip the spaces around each ';' piece (task 2)"
    )


def test_the_envelope_is_the_default() -> None:
    error = Conflict("The slug 'rain' is taken.", details={"slug": ["Taken."]})
    rendered = render(error, request_id="req-1", instance="/markets", accept=None)
    expected = {
        "error": {
            "code": "conflict",
            "message": "The slug 'rain' is taken.",
            "details": {"slug": ["Taken."]},
            "request_id": "req-1",
        }
    }
    assert (rendered.status, rendered.media_type, rendered.body) == (
        409,
        "application/json",
        expected,
    ), (
        f"render(Conflict(...), request_id='req-1', accept=None) gave {rendered}; expected "
        f"409, application/json, {expected} (task 2)"
    )


def test_problem_json_when_the_client_prefers_it() -> None:
    error = NotFound("No market with id 7.")
    rendered = render(
        error, request_id="req-2", instance="/markets/7", accept="application/problem+json"
    )
    expected = {
        "type": PROBLEM_TYPES + "not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "No market with id 7.",
        "instance": "/markets/7",
        "request_id": "req-2",
    }
    assert (rendered.status, rendered.media_type, rendered.body) == (
        404,
        "application/problem+json",
        expected,
    ), (
        f"render(NotFound(...), accept='application/problem+json') gave {rendered}; expected "
        f"404, application/problem+json, {expected}: RFC 9457's members, no 'errors' when no "
        "field is named (task 2)"
    )


def test_a_problems_field_errors_point_at_each_field() -> None:
    error = ValidationFailed({"slug": ["Bad.", "Too long."], "a/b~c": ["Unknown field."]})
    body = render(
        error, request_id="r", instance="/markets", accept="application/problem+json"
    ).body
    expected = [
        {"pointer": "#/slug", "detail": "Bad."},
        {"pointer": "#/slug", "detail": "Too long."},
        {"pointer": "#/a~1b~0c", "detail": "Unknown field."},
    ]
    assert body.get("errors") == expected, (
        f"the problem for {error.details} has errors {body.get('errors')}; expected {expected}: "
        "one entry per message, each with a JSON Pointer (RFC 6901: '~' is '~0', '/' is '~1', "
        "in that order) to the field, as in RFC 9457 §3's example (task 2)"
    )
    assert body["status"] == 400 and body["detail"] == error.message


def test_the_errors_own_headers_and_vary_accept_go_out() -> None:
    error = RateLimited(30)
    for accept in (None, "application/problem+json"):
        rendered = render(error, request_id="r", instance="/markets", accept=accept)
        assert rendered.headers == {"Retry-After": "30", "Vary": "Accept"}, (
            f"render(RateLimited(30), accept={accept!r}).headers is {rendered.headers}; the "
            "error's headers (a 429's Retry-After) go out in both formats, plus Vary: Accept — "
            "the body depends on Accept, so a cache must not hand one format to another client "
            "(task 2)"
        )
    assert error.headers == {"Retry-After": "30"}, (
        f"after render(), the error's own headers are {error.headers}: render adds Vary to a "
        "copy, never to the error (task 2)"
    )


def test_the_body_holds_copies_not_the_errors_own_lists() -> None:
    error = ValidationFailed({"slug": ["Bad."]})
    body = render(error, request_id="r", instance="/m", accept=None).body
    body["error"]["details"]["slug"].append("changed")
    assert error.details == {"slug": ["Bad."]}, (
        f"changing a rendered body changed the error's details to {error.details}: a handler "
        "may add to the body it is given, so render copies (task 2)"
    )
