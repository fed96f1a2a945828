"""Task 1, framework-free: the list's query contract in `markets_rest.listing`."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from markets_rest.contract import MAX_LIMIT, MAX_WHOLE_NUMBER, ApiError, ErrorCode
from markets_rest.domain import Status
from markets_rest.listing import ListQuery, page_links, parse_list_query

pytestmark = [pytest.mark.core, pytest.mark.task(1)]


def rejected(params: dict[str, str], why: str = "") -> ApiError:
    """The ApiError parse_list_query raises for `params`; fails the test, saying `why`, if none."""
    __tracebackhide__ = True  # a failure points at the test that called this, not in here
    try:
        query = parse_list_query(params)
    except ApiError as error:
        return error
    except NotImplementedError:
        raise
    except Exception as error:
        pytest.fail(
            f"parse_list_query({params}) raised {type(error).__name__}: {error}; a malformed "
            "parameter is the client's mistake: raise contract.invalid_query(...), an ApiError "
            f"the framework renders as 400 — any other exception becomes a 500{why} (task 1)"
        )
    pytest.fail(
        f"parse_list_query({params}) returned {query}; expected it to raise ApiError 400 "
        f"'invalid_query' naming the bad parameter{why} (task 1)"
    )


def test_no_parameters_means_the_defaults() -> None:
    query = parse_list_query({})
    assert query == ListQuery(), (
        f"parse_list_query({{}}) returned {query}; with no parameters the defaults apply: "
        f"{ListQuery()} (task 1)"
    )


def test_all_parameters_are_parsed() -> None:
    params = {"status": "active", "ordering": "-volume", "limit": "5", "offset": "10"}
    query = parse_list_query(params)
    expected = ListQuery(status=Status.ACTIVE, ordering="-volume", limit=5, offset=10)
    assert query == expected, (
        f"parse_list_query({params}) returned {query}; expected {expected}: strings from the "
        "URL become a Status and ints (task 1)"
    )


@pytest.mark.parametrize(
    "ordering", ["id", "-id", "name", "-name", "volume", "-volume", "created_at", "-created_at"]
)
def test_each_allow_listed_ordering_is_accepted(ordering: str) -> None:
    query = parse_list_query({"ordering": ordering})
    assert query.ordering == ordering, (
        f"parse_list_query({{'ordering': {ordering!r}}}) returned ordering {query.ordering!r}; "
        "every field of contract.ORDERING_FIELDS is allowed, ascending or with '-' (task 1)"
    )


NOT_QUITE_ALLOWED = ["Name", "-VOLUME", "Created_At", "ID", "namex", " name", "name "]


@pytest.mark.parametrize(
    "ordering",
    [
        "slug",
        "updated_at",
        "--volume",
        "volume,name",
        "__class__",
        "name; DROP TABLE markets",
        "",
        *NOT_QUITE_ALLOWED,
    ],
)
def test_ordering_outside_the_allow_list_is_rejected(ordering: str) -> None:
    why = ""
    if ordering in NOT_QUITE_ALLOWED:
        why = (
            f"; the allow-list is exact — {ordering!r} is not {ordering.strip().lower()!r}: a "
            "check that lower-cases or strips the value and then hands on the raw one lets "
            "the store sort by a field it does not know, a 500 for client input"
        )
    error = rejected({"ordering": ordering}, why)
    assert (error.status, error.code) == (400, ErrorCode.INVALID_QUERY), (
        f"parse_list_query({{'ordering': {ordering!r}}}) raised {error.status} {error.code!r}; "
        "expected 400 'invalid_query': a client may only sort by allow-listed fields (task 1)"
    )
    message = " ".join(error.details.get("ordering", []))
    assert "name" in message and "volume" in message, (
        f"parse_list_query({{'ordering': {ordering!r}}}) gave details {error.details}; "
        "details['ordering'] should tell the client which fields it may use, e.g. 'name' and "
        "'volume' (task 1)"
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "open"),
        ("status", "ACTIVE"),
        ("status", ""),
        ("limit", "0"),
        ("limit", "-1"),
        ("limit", "ten"),
        ("limit", "2.5"),
        ("limit", ""),
        ("limit", " 5"),
        ("offset", "-1"),
        ("offset", "1e3"),
        ("offset", ""),
    ],
)
def test_malformed_parameter_is_rejected_by_name(name: str, value: str) -> None:
    why = ""
    if value == "":
        why = (
            f"; a blank {name}= is a value the client sent, not an absent parameter: '' is no "
            f"{'Status' if name == 'status' else 'whole number'}, so it is a 400 like any "
            "other (test `name in params`, not the value's truthiness)"
        )
    error = rejected({name: value}, why)
    assert (error.status, error.code) == (400, ErrorCode.INVALID_QUERY), (
        f"parse_list_query({{{name!r}: {value!r}}}) raised {error.status} {error.code!r}; "
        "expected 400 'invalid_query' (task 1)"
    )
    assert list(error.details) == [name], (
        f"parse_list_query({{{name!r}: {value!r}}}) gave details {error.details}; details "
        f"should name exactly the bad parameter {name!r}, so the client knows what to fix (task 1)"
    )


NOT_ASCII_DIGITS = {
    "+5": "int('+5') is 5, but a sign is not a digit",
    "5.0": "Pydantic's int field reads '5.0' as 5, but a point is not a digit",
    "5_000": "int('5_000') is 5000: Python's digit separator is not part of a URL's number",
    " 5": "int(' 5') strips the space; the client sent something else than digits",
    "5 ": "int('5 ') strips the space; the client sent something else than digits",
    "\u00b2": "'\u00b2' (superscript two) passes str.isdigit(), then int() raises: a 500",
    "\u0667": "'\u0667' (Arabic-Indic seven) passes str.isdigit() and int() reads it as 7",
    "\uff15": "'\uff15' (fullwidth five) passes str.isdigit() and int() reads it as 5",
    "5\n": "re.match(r'^[0-9]+$') takes '5\\n' — in Python '$' also matches just before a "
    "trailing newline — and int() strips it: use re.fullmatch",
}


@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize("value", list(NOT_ASCII_DIGITS), ids=ascii)
def test_only_ascii_digits_make_a_whole_number(name: str, value: str) -> None:
    why = (
        f"; {NOT_ASCII_DIGITS[value]} — a whole number in a URL is the ASCII digits 0-9 and "
        "nothing else, so match [0-9]+ instead of trusting int(), str.isdigit() or a "
        "Pydantic int"
    )
    error = rejected({name: value}, why)
    assert list(error.details) == [name], (
        f"parse_list_query({{{name!r}: {value!r}}}) gave details {error.details}; details "
        f"should name {name!r} (task 1)"
    )


@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize("digits", [5_000, 20], ids=["5000-digits", "20-digits"])
def test_a_number_too_long_for_any_database_is_rejected(name: str, digits: int) -> None:
    value = "9" * digits
    why = (
        f"; {digits} digits is more than any database takes (a bigint holds "
        f"{MAX_WHOLE_NUMBER}, 19 digits), and int() of more than 4300 digits raises "
        "ValueError — check the length before calling int()"
    )
    error = rejected({name: value}, why)
    assert list(error.details) == [name], (
        f"parse_list_query({{{name!r}: '9' * {digits}}}) gave details {error.details}; "
        f"details should name {name!r} (task 1)"
    )


def test_the_largest_whole_number_is_the_last_one_accepted() -> None:
    largest, too_large = str(MAX_WHOLE_NUMBER), str(MAX_WHOLE_NUMBER + 1)
    query = parse_list_query({"offset": largest, "limit": largest})
    assert (query.offset, query.limit) == (MAX_WHOLE_NUMBER, MAX_LIMIT), (
        f"parse_list_query(offset={largest}, limit={largest}) returned {query}; "
        f"MAX_WHOLE_NUMBER={largest} (2**63 - 1, a bigint) is still a whole number: offset "
        f"keeps it (the page is empty), limit is capped to {MAX_LIMIT} (task 1)"
    )
    for name in ("offset", "limit"):
        error = rejected({name: too_large}, f"; {too_large} is 2**63, one past MAX_WHOLE_NUMBER")
        assert list(error.details) == [name], (
            f"parse_list_query({{{name!r}: {too_large!r}}}) gave details {error.details}; "
            f"details should name {name!r} (task 1)"
        )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"offset": "0"}, ListQuery(offset=0)),
        ({"offset": "1"}, ListQuery(offset=1)),
        ({"limit": "1"}, ListQuery(limit=1)),
        ({"limit": "007"}, ListQuery(limit=7)),
        ({"limit": str(MAX_LIMIT)}, ListQuery(limit=MAX_LIMIT)),
        ({"limit": str(MAX_LIMIT + 1)}, ListQuery(limit=MAX_LIMIT)),
    ],
    ids=["offset=0", "offset=1", "limit=1", "limit=007", "limit=MAX", "limit=MAX+1"],
)
def test_the_smallest_and_largest_page_values_are_accepted(
    params: dict[str, str], expected: ListQuery
) -> None:
    query = parse_list_query(params)
    assert query == expected, (
        f"parse_list_query({params}) returned {query}; expected {expected}: offset is a whole "
        f"number from 0, limit from 1, and a limit above {MAX_LIMIT} is capped — check the "
        "boundaries (>= rather than >) (task 1)"
    )


def test_every_bad_parameter_is_reported_at_once() -> None:
    params = {"status": "open", "ordering": "slug", "limit": "-5", "offset": "x"}
    error = rejected(params)
    assert sorted(error.details) == sorted(params), (
        f"parse_list_query({params}) gave details for {sorted(error.details)}; report every bad "
        "parameter in one reply, not only the first (task 1)"
    )


def test_limit_above_the_maximum_is_capped() -> None:
    query = parse_list_query({"limit": str(MAX_LIMIT * 100)})
    assert query.limit == MAX_LIMIT, (
        f"parse_list_query({{'limit': '{MAX_LIMIT * 100}'}}) returned limit {query.limit}; a "
        f"limit above MAX_LIMIT={MAX_LIMIT} is capped to it, or one request could ask for every "
        "row in the table (task 1)"
    )


def test_unknown_parameters_are_ignored() -> None:
    query = parse_list_query({"page": "2", "format": "json"})
    assert query == ListQuery(), (
        f"parse_list_query({{'page': '2', 'format': 'json'}}) returned {query}; parameters the "
        "list does not know are ignored (task 1)"
    )


URL = "http://testserver/markets?status=active&ordering=-volume&limit=10&offset=10"


def link_params(url: str | None) -> dict[str, list[str]] | None:
    return None if url is None else parse_qs(urlsplit(url).query)


def test_links_move_the_offset_and_keep_the_other_parameters() -> None:
    query = ListQuery(status=Status.ACTIVE, ordering="-volume", limit=10, offset=10)
    next_url, previous_url = page_links(URL, query, count=35)
    expected_next = {
        "status": ["active"],
        "ordering": ["-volume"],
        "limit": ["10"],
        "offset": ["20"],
    }
    assert link_params(next_url) == expected_next, (
        f"page_links({URL!r}, limit=10, offset=10, count=35) gave next={next_url!r}; expected "
        "the same URL with offset=20, keeping status and ordering (task 1)"
    )
    assert link_params(previous_url) == {**expected_next, "offset": ["0"]}, (
        f"page_links({URL!r}, limit=10, offset=10, count=35) gave previous={previous_url!r}; "
        "expected the same URL with offset=0 (task 1)"
    )
    assert next_url is not None and next_url.startswith("http://testserver/markets?"), (
        f"page_links gave next={next_url!r}; links are absolute URLs on the request's own "
        "scheme, host and path (task 1)"
    )


def test_next_is_null_on_the_last_page() -> None:
    for count in (20, 15):
        next_url, _ = page_links(URL, ListQuery(limit=10, offset=10), count=count)
        assert next_url is None, (
            f"page_links(limit=10, offset=10, count={count}) gave next={next_url!r}; the page "
            f"holds markets 11–{count}, the last ones, so next is None (task 1)"
        )


def test_previous_is_null_on_the_first_page_and_never_negative() -> None:
    _, previous_url = page_links(URL, ListQuery(limit=10, offset=0), count=35)
    assert previous_url is None, (
        f"page_links(limit=10, offset=0, count=35) gave previous={previous_url!r}; the first "
        "page has no previous page (task 1)"
    )
    _, previous_url = page_links(URL, ListQuery(limit=10, offset=4), count=35)
    offset = (link_params(previous_url) or {}).get("offset")
    assert previous_url is not None and offset in (["0"], None), (
        f"page_links(limit=10, offset=4, count=35) gave previous={previous_url!r}; the page "
        "before offset 4 starts at offset 0, never at -6 (task 1)"
    )


def test_offset_1_links_back_to_the_first_page() -> None:
    next_url, previous_url = page_links(URL, ListQuery(limit=10, offset=1), count=35)
    assert (link_params(previous_url) or {}).get("offset") == ["0"], (
        f"page_links(limit=10, offset=1, count=35) gave previous={previous_url!r}; one market "
        "was skipped, so a previous page exists and starts at offset 0 (task 1)"
    )
    assert (link_params(next_url) or {}).get("offset") == ["11"], (
        f"page_links(limit=10, offset=1, count=35) gave next={next_url!r}; the next page "
        "starts right after this one, at offset 1 + 10 = 11 (task 1)"
    )


def test_links_keep_every_other_parameter_as_sent() -> None:
    url = "http://testserver/markets?q=&ordering=name&tag=a&tag=b&limit=10&offset=10"
    next_url, _ = page_links(url, ListQuery(ordering="name", limit=10, offset=10), count=35)
    expected = {"q": [""], "ordering": ["name"], "tag": ["a", "b"], "limit": ["10"]}
    got = parse_qs(urlsplit(next_url or "").query, keep_blank_values=True)
    assert {k: v for k, v in got.items() if k != "offset"} == expected, (
        f"page_links({url!r}) gave next={next_url!r}; a link changes limit and offset only: "
        "every other parameter stays as the client sent it — blank (q=) or repeated (tag) "
        "ones too (task 1)"
    )
