"""Task 3, Django: `on_commit` waits for the outermost transaction, whoever opened it.

A view may already run inside a transaction (`ATOMIC_REQUESTS = True`, or a caller's own
`atomic()`): then the service's `atomic()` is only a savepoint, and the market is committed
when the *outer* block ends. Enqueueing when the service's own block ends is too early.
"""

from __future__ import annotations

import pytest
from conftest import only_the_id
from redis.exceptions import RedisError

from markets_jobs.domain import NewMarket

pytestmark = [pytest.mark.django, pytest.mark.task(3), pytest.mark.django_db(transaction=True)]


def test_inside_an_outer_transaction_the_job_waits_for_the_outer_commit(queue) -> None:
    from django.db import transaction

    from markets_jobs.django_app import services

    with transaction.atomic():
        market = services.create_market(NewMarket("Rain in Lisbon", "rain-lisbon"), queue)
        inside = queue.count
    after = queue.count
    assert inside == 0, (
        f"create_market ran inside a caller's transaction (as with ATOMIC_REQUESTS) and had "
        f"enqueued {inside} job(s) before that transaction committed; the market was not "
        "visible to any worker yet. transaction.on_commit runs the enqueue when the "
        "outermost transaction commits (task 3)"
    )
    assert after == 1 and only_the_id(queue.get_jobs()[0]) == market.pk, (
        f"after the outer commit the queue holds {after} job(s); expected one for market "
        f"{market.pk} (task 3)"
    )


def test_an_outer_rollback_drops_the_job(queue) -> None:
    from django.db import transaction

    from markets_jobs.django_app import services
    from markets_jobs.django_app.models import Market

    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_market(NewMarket("Rain in Lisbon", "rain-lisbon"), queue)
        raise RuntimeError("the caller fails after the create (test)")
    assert Market.objects.count() == 0
    assert queue.count == 0, (
        f"the caller's transaction rolled the market back, yet {queue.count} job(s) were "
        "enqueued for it (task 3)"
    )


def test_two_creates_in_one_transaction_enqueue_one_job_each(queue) -> None:
    from django.db import transaction

    from markets_jobs.django_app import services

    with transaction.atomic():
        first = services.create_market(NewMarket("Rain in Lisbon", "rain-lisbon"), queue)
        second = services.create_market(NewMarket("Snow in Oslo", "snow-oslo"), queue)
    queued = sorted(only_the_id(job) or 0 for job in queue.get_jobs())
    assert queued == [first.pk, second.pk], (
        f"two create_market calls in one caller's transaction created markets {first.pk} and "
        f"{second.pk}; at its commit the queue received jobs for {queued}. Expected one job "
        "each, for its own market: hand on_commit the id you just inserted (market.pk), "
        "bound now — a callback that looks 'the newest market' up at commit time finds the "
        "same row twice (task 3)"
    )


def test_redis_down_at_the_outer_commit_is_logged_not_raised(
    redis_failures, caplog: pytest.LogCaptureFixture
) -> None:
    import logging
    import re

    from django.db import transaction

    from markets_jobs.django_app import services
    from markets_jobs.django_app.models import Market

    for n, (failure, broken) in enumerate(redis_failures):
        caplog.clear()
        try:
            with caplog.at_level(logging.ERROR), transaction.atomic():
                market = services.create_market(NewMarket(f"Market {n}", f"market-{n}"), broken)
        except RedisError as exc:
            pytest.fail(
                f"Redis failed — {failure} — when the caller's transaction committed, and its "
                f"commit raised {exc!r}: the market is committed, yet the caller (a view under "
                "ATOMIC_REQUESTS) answers 500. The enqueue runs at the outermost commit — "
                "outside any try/except around your own atomic() block — so the function "
                "on_commit runs must catch redis.exceptions.RedisError (every failure Redis "
                "answers with, not only ConnectionError) itself (task 3)"
            )
        assert Market.objects.count() == n + 1
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors, (
            f"Redis failed — {failure} — when the caller's transaction committed and ran the "
            "enqueue; nothing was logged at ERROR. The enqueue runs at the outermost commit — "
            "outside any try/except around your own atomic() block — so the function "
            "on_commit runs must catch the RedisError itself (task 3)"
        )
        assert any(re.search(rf"\b{market.pk}\b", message) for message in errors), (
            f"the enqueue for market {market.pk} failed at the outer commit ({failure}) and "
            f"the ERROR log says {errors}; expected it to name market {market.pk}: the log "
            "line is what an operator re-enqueues from (task 3)"
        )
