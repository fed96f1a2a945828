"""Task 3: every record, from every logger, is one line of JSON — configured once."""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from loglines import CapturedLog, parse, shown

from markets_logging.context import request_scope
from markets_logging.logconfig import JsonFormatter, configure_logging

pytestmark = [pytest.mark.core, pytest.mark.task(3)]

log = logging.getLogger("markets.test")
SECRET = "s3cr3t-Value-42"


@pytest.fixture
def stream() -> io.StringIO:
    out = io.StringIO()
    configure_logging(out)
    return out


def lines_of(stream: io.StringIO) -> list[dict[str, Any]]:
    return parse(stream.getvalue())


def test_each_record_is_one_json_line_with_timestamp_level_logger_and_event(
    stream: io.StringIO,
) -> None:
    log.info("market viewed")
    log.warning("slow lookup")
    lines = lines_of(stream)
    assert len(lines) == 2, f"two records logged, {len(lines)} lines written:{shown(lines)}"
    expectations = (("info", "market viewed"), ("warning", "slow lookup"))
    for line, (level, event) in zip(lines, expectations, strict=True):
        expected = {"level": level, "logger": "markets.test", "event": event}
        got = {key: line.get(key) for key in expected}
        assert got == expected and "timestamp" in line, (
            f"log.{level}({event!r}) on logger 'markets.test' wrote {line}; every line has "
            "timestamp, level (lower case), logger (its name) and event (the message) (task 3)"
        )


def test_the_event_is_the_formatted_message_and_a_newline_stays_inside_it(
    stream: io.StringIO,
) -> None:
    log.info("market %s viewed", 7)
    log.info("first line\nsecond line")
    lines = lines_of(stream)
    events = [line.get("event") for line in lines]
    assert events == ["market 7 viewed", "first line\nsecond line"], (
        f"log.info('market %s viewed', 7) and a two-line message gave {len(lines)} lines with "
        f"events {events}; the event is record.getMessage(), and a newline in it is escaped "
        "by json.dumps, so one record is always one line (task 3)"
    )


def test_the_timestamp_is_the_records_time_in_utc_with_its_offset() -> None:
    created = datetime(2026, 1, 1, 12, 30, 15, 500000, tzinfo=UTC)
    record = logging.makeLogRecord({"msg": "x", "name": "markets.test", "levelname": "INFO"})
    record.created = created.timestamp()
    line = parse(JsonFormatter().format(record))[0]
    stamp = line.get("timestamp")
    parsed = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    assert parsed is not None and parsed.utcoffset() is not None, (
        f"the timestamp is {stamp!r}; expected ISO 8601 with an offset, like "
        "'2026-01-01T12:30:15.500000+00:00'. datetime.utcnow() is naive (no offset, and "
        "deprecated since Python 3.12): a reader cannot tell it from local time (task 3)"
    )
    assert parsed == created and parsed.utcoffset().total_seconds() == 0, (
        f"a record created at {created.isoformat()} was stamped {stamp!r}; the timestamp is "
        "the record's own time (record.created), in UTC (task 3)"
    )


@pytest.fixture
def local_time_is_not_utc() -> Iterator[None]:
    """A server whose local time is not UTC: `datetime.now()` and `.astimezone()` show it."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/Sao_Paulo"
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_the_timestamp_is_utc_on_a_server_whose_local_time_is_not(
    stream: io.StringIO, local_time_is_not_utc: None
) -> None:
    before = datetime.now(UTC)
    log.info("market viewed")
    after = datetime.now(UTC)
    stamp = lines_of(stream)[0].get("timestamp")
    parsed = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    assert (
        parsed is not None
        and parsed.utcoffset() is not None
        and parsed.utcoffset().total_seconds() == 0
        and before.replace(microsecond=0) <= parsed <= after
    ), (
        f"with local time in São Paulo (UTC-3), a record logged at {before.isoformat()} was "
        f"stamped {stamp!r}; expected that moment in UTC (+00:00): "
        "datetime.fromtimestamp(record.created, UTC), not local time (task 3)"
    )


def test_extra_fields_become_keys_and_decimals_stay_exact(stream: io.StringIO) -> None:
    log.info("trade", extra={"market_id": 7, "volume": Decimal("12.50"), "tags": {"rain"}})
    line = lines_of(stream)[0]
    got = {key: line.get(key) for key in ("market_id", "volume", "tags")}
    assert got == {"market_id": 7, "volume": "12.50", "tags": ["rain"]}, (
        "log.info('trade', extra={'market_id': 7, 'volume': Decimal('12.50'), 'tags': "
        f"{{'rain'}}}}) wrote {line}; each extra is a key of its own (what a log search "
        "filters on), made JSON-ready by redact() — a Decimal as its text (task 3)"
    )


def test_a_value_json_cannot_encode_never_loses_the_line(stream: io.StringIO) -> None:
    log.info("odd values", extra={"at": datetime(2026, 1, 1, tzinfo=UTC), "thing": object()})
    lines = lines_of(stream)
    assert [line.get("event") for line in lines] == ["odd values"], (
        f"a record with a datetime and an object() in its extras wrote:{shown(lines)}\n"
        "json.dumps raises on them, and logging then drops the line: pass the fields "
        "through redact() first (task 3)"
    )


def test_bound_fields_are_on_every_line_of_their_scope_only(stream: io.StringIO) -> None:
    with request_scope(request_id="r-1"):
        log.info("inside")
    log.info("outside")
    lines = lines_of(stream)
    got = [(line.get("event"), line.get("request_id")) for line in lines]
    assert got == [("inside", "r-1"), ("outside", None)], (
        f"a line inside request_scope(request_id='r-1') and one after it gave {got}; the "
        "formatter merges context.bound() into each line (task 3)"
    )


def test_an_exception_is_logged_with_its_traceback(stream: io.StringIO) -> None:
    try:
        raise ValueError("no such market")
    except ValueError:
        log.exception("lookup failed")
    line = lines_of(stream)[0]
    trace = str(line.get("exception", ""))
    assert line.get("level") == "error" and "Traceback" in trace and "no such market" in trace, (
        f"log.exception('lookup failed') inside an except block wrote {line}; the traceback "
        "goes in an 'exception' field (self.formatException(record.exc_info)) (task 3)"
    )


def test_no_secret_reaches_the_output(stream: io.StringIO) -> None:
    log.info("login %s", {"user": "ada", "password": SECRET})
    log.info("call", extra={"headers": {"Authorization": f"Bearer {SECRET}"}, "token": SECRET})
    try:
        raise PermissionError(f"rejected api_key={SECRET}")
    except PermissionError:
        log.exception("upstream refused")
    with request_scope(request_id="r-1", session_token=SECRET):
        log.info("bound")
    text = stream.getvalue()
    assert SECRET not in text, (
        f"the secret {SECRET!r} reached the log:{shown(parse(text))}\nIt was in a %-argument, "
        "an extra, an exception message and a bound field: every field of the line goes "
        "through redact() — the event and the exception text too (task 3)"
    )


def test_configuring_twice_prints_each_line_once() -> None:
    first, second = io.StringIO(), io.StringIO()
    configure_logging(first)
    configure_logging(first)
    log.info("once")
    assert len(parse(first.getvalue())) == 1, (
        f"after configure_logging(stream) twice, one record printed "
        f"{len(parse(first.getvalue()))} lines; each call adding a handler prints every line "
        "once per call. Replace the handler (dictConfig does), never add another (task 3)"
    )
    configure_logging(second)
    log.info("moved")
    assert parse(first.getvalue())[-1].get("event") == "once", (
        "after configure_logging(second), a record still reached the first stream: the old "
        "handler was kept beside the new one (task 3)"
    )
    assert [line.get("event") for line in parse(second.getvalue())] == ["moved"]


def test_loggers_made_before_configuration_keep_logging(stream: io.StringIO) -> None:
    logging.getLogger("markets.service").info("service line")  # made when service.py loaded
    logging.getLogger("django.request").warning("framework line")
    events = [line.get("event") for line in lines_of(stream)]
    assert events == ["service line", "framework line"], (
        f"lines from loggers created before configure_logging() ran: {events}; expected "
        "both. dictConfig disables every existing logger unless "
        "'disable_existing_loggers': False, and framework loggers reach the root (task 3)"
    )


def test_level_filters_and_stderr_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="WARNING")
    log.info("too quiet")
    log.error("loud")
    events = [line.get("event") for line in CapturedLog(capsys).lines()]
    assert events == ["loud"], (
        f"configure_logging(level='WARNING') then an info and an error line wrote {events} "
        "to stderr; expected only the error, on sys.stderr as it is at the call (task 3)"
    )
    configure_logging(level="DEBUG")
    log.debug("detail")
    events = [line.get("event") for line in CapturedLog(capsys).lines()]
    assert events == ["detail"], f"at level='DEBUG' a debug line gave {events} (task 3)"
