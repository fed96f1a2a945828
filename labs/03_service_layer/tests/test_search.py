"""Task 4 — search_markets: ranked by similarity, ties by slug, limit respected."""

from __future__ import annotations

import math

import pytest
from expect import raises

from markets_service.domain import Market, ValidationFailed, slugify
from markets_service.embedding import cosine, embed
from markets_service.repository import InMemoryMarketRepository, MarketRepository
from markets_service.service import MarketService

NAMES = [
    "Bitcoin above 100k by 2030",
    "Rain in London on Monday",
    "Rain in Paris tomorrow",
    "Will Paris host the Olympics again",
]


class ReversedRepository(InMemoryMarketRepository):
    """Returns markets newest first: a search must not lean on the repository's order."""

    def all_markets(self) -> list[Market]:
        return super().all_markets()[::-1]


def seeded(repository: MarketRepository, names: list[str]) -> MarketService:
    service = MarketService(repository)
    for name in names:
        service.create_market(name)
    return service


def slugs(hits: list) -> list[str]:
    return [hit.market.slug for hit in hits]


@pytest.mark.core
@pytest.mark.task(4)
def test_search_ranks_markets_by_score_highest_first(repository: InMemoryMarketRepository) -> None:
    hits = seeded(repository, NAMES).search_markets("rain in paris", limit=10)
    expected = [
        "rain-in-paris-tomorrow",
        "rain-in-london-on-monday",
        "will-paris-host-the-olympics-again",
    ]
    assert slugs(hits) == expected, (
        f"search_markets('rain in paris') returned {slugs(hits)}; expected {expected}: "
        "highest cosine first, and no market that shares no word with the query (task 4)"
    )
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True), (
        f"scores came back as {scores}; results are ordered by score, highest first (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
def test_search_scores_are_the_cosine_of_query_and_name(
    repository: InMemoryMarketRepository,
) -> None:
    hits = seeded(repository, NAMES).search_markets("rain in paris", limit=10)
    for hit in hits:
        expected = cosine(embed("rain in paris"), embed(hit.market.name))
        assert math.isclose(hit.score, expected, abs_tol=1e-6), (
            f"the hit for {hit.market.name!r} scored {hit.score}; the score is "
            f"cosine(embed(query), embed(name)) = {expected:.6f} (task 4)"
        )


@pytest.mark.core
@pytest.mark.task(4)
@pytest.mark.parametrize("limit", [1, 2])
def test_search_returns_at_most_limit_best_hits(
    repository: InMemoryMarketRepository, limit: int
) -> None:
    hits = seeded(repository, NAMES).search_markets("rain in paris", limit=limit)
    expected = ["rain-in-paris-tomorrow", "rain-in-london-on-monday"][:limit]
    assert slugs(hits) == expected, (
        f"search_markets('rain in paris', limit={limit}) returned {slugs(hits)}; expected the "
        f"{limit} best: {expected} (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
@pytest.mark.parametrize("repository_class", [InMemoryMarketRepository, ReversedRepository])
def test_search_breaks_ties_by_slug_whatever_the_repository_order(
    repository_class: type[InMemoryMarketRepository],
) -> None:
    names = ["Rain tonight", "Rain today", "Rain tomorrow", "Snow today"]
    hits = seeded(repository_class(), names).search_markets("rain", limit=10)
    expected = ["rain-today", "rain-tomorrow", "rain-tonight"]
    assert slugs(hits) == expected, (
        f"three names score the same for 'rain' and came back as {slugs(hits)} from a "
        f"{repository_class.__name__}; equal scores are ordered by slug, {expected}, so "
        "the order never depends on what order the repository returns rows in (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
def test_search_breaks_ties_by_slug_not_by_name(repository: InMemoryMarketRepository) -> None:
    names = ["rain today", "Rain tomorrow", "RAIN tonight"]  # name order: the reverse
    hits = seeded(repository, names).search_markets("rain", limit=10)
    expected = ["rain-today", "rain-tomorrow", "rain-tonight"]
    assert slugs(hits) == expected, (
        f"{names} score the same for 'rain' and came back as {slugs(hits)}; equal scores are "
        f"ordered by slug, {expected} — not by name, which sorts 'RAIN tonight' before 'rain "
        "today' (upper case first) and is not unique (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
def test_search_sees_a_market_created_after_an_earlier_search(
    repository: InMemoryMarketRepository,
) -> None:
    service = seeded(repository, ["Rain in Paris tomorrow"])
    first = slugs(service.search_markets("rain", limit=10))
    service.create_market("Rain in Oslo")
    again = slugs(service.search_markets("rain", limit=10))
    assert (first, again) == (
        ["rain-in-paris-tomorrow"],
        ["rain-in-oslo", "rain-in-paris-tomorrow"],
    ), (
        f"search_markets('rain') gave {first}, then, after create_market('Rain in Oslo'), the "
        f"same search gave {again}; each search reads the repository as it is now. Results "
        "cached per (query, limit) and never invalidated hide every market created or moved "
        "since (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
@pytest.mark.parametrize("query", ["Zürich", "grève"])
def test_search_scores_the_name_not_its_slug(
    repository: InMemoryMarketRepository, query: str
) -> None:
    name = "Grève à Zürich"  # slug 'greve-a-zurich': the accents are folded away
    hits = seeded(repository, [name, "Snow in Oslo"]).search_markets(query, limit=10)
    expected = round(cosine(embed(query), embed(name)), 4)
    got = [(hit.market.slug, round(hit.score, 4)) for hit in hits]
    assert got == [("greve-a-zurich", expected)], (
        f"search_markets({query!r}) over {name!r} gave {got}; expected "
        f"[('greve-a-zurich', {expected})]: the score is cosine(embed(query), "
        "embed(market.name)). The slug folds 'ü' to 'u' and 'è' to 'e', so scoring the slug "
        "loses every accented word the client typed (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
def test_search_keeps_a_match_however_low_its_score(
    repository: InMemoryMarketRepository,
) -> None:
    name = "Rain in Paris on the first Monday of a cold wet grey March"
    query = "rain or snow over Oslo during every long dark winter night"
    score = cosine(embed(query), embed(name))  # one shared word among 13 and 11: about 0.084
    assert 0 < score < 0.1, f"test data: {score}"
    hits = seeded(repository, [name]).search_markets(query, limit=10)
    assert slugs(hits) == [slugify(name)], (
        f"search_markets({query!r}) over {name!r} gave {slugs(hits)}; the two share the word "
        f"'rain' and score {score:.3f}. Only a score of 0 is left out: a relevance threshold "
        "of your own (score >= 0.1) silently drops real matches between long texts (task 4)"
    )


@pytest.mark.sqlalchemy
@pytest.mark.task(4)
def test_search_runs_the_same_queries_for_2_markets_as_for_6() -> None:
    from sqlalchemy.orm import sessionmaker

    from markets_service.orm import SqlAlchemyMarketRepository, make_engine
    from patterns_workbook.testing.queries import count_sqlalchemy_queries

    engine = make_engine("sqlite://")
    service = MarketService(SqlAlchemyMarketRepository(sessionmaker(engine)))
    counted = []
    for name in ("Rain in Paris", "Rain in Oslo", "Rain in Rome", "Rain in Lima", "Rain", "Snow"):
        service.create_market(name)
        with count_sqlalchemy_queries(engine) as queries:
            service.search_markets("rain", limit=10)
        counted.append(queries)
    engine.dispose()
    assert len(counted[1]) == len(counted[-1]), (
        f"search_markets('rain') ran {len(counted[1])} queries over 2 markets and "
        f"{len(counted[-1])} over 6; it reads every market with the one all_markets() call, "
        "not one more query per market (an N+1: get(id) for each row already loaded) "
        f"(task 4). Over 6 markets: {counted[-1].report()}"
    )


@pytest.mark.core
@pytest.mark.task(4)
@pytest.mark.parametrize("query", ["", "   ", "?!", "volcano"])
def test_search_without_shared_words_finds_nothing(
    repository: InMemoryMarketRepository, query: str
) -> None:
    hits = seeded(repository, NAMES).search_markets(query, limit=10)
    assert hits == [], (
        f"search_markets({query!r}) returned {slugs(hits)}; a query that shares no word with "
        "any name (or has no words: the zero vector) finds nothing (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
@pytest.mark.parametrize("limit", [0, -1])
def test_search_with_limit_below_one_raises_validation_failed(
    service: MarketService, limit: int
) -> None:
    with raises(ValidationFailed, f"search_markets('rain', limit={limit}) (task 4)") as caught:
        service.search_markets("rain", limit=limit)
    details = caught.value.details if caught.value else {}
    assert "limit" in details, (
        f"search_markets('rain', limit={limit}) raised ValidationFailed with details "
        f"{details!r}; name the refused field: ValidationFailed.on('limit', message) (task 4)"
    )


@pytest.mark.sqlalchemy
@pytest.mark.task(4)
def test_search_over_sqlalchemy_ranks_the_same(sqlalchemy_repository: MarketRepository) -> None:
    hits = seeded(sqlalchemy_repository, NAMES).search_markets("rain in paris", limit=2)
    expected = ["rain-in-paris-tomorrow", "rain-in-london-on-monday"]
    assert slugs(hits) == expected, (
        f"over SqlAlchemyMarketRepository search_markets('rain in paris', limit=2) returned "
        f"{slugs(hits)}; the service ranks the same whatever stores the markets (task 4)"
    )


@pytest.mark.django
@pytest.mark.task(4)
def test_search_over_django_orm_ranks_the_same(django_repository: MarketRepository) -> None:
    hits = seeded(django_repository, NAMES).search_markets("rain in paris", limit=2)
    expected = ["rain-in-paris-tomorrow", "rain-in-london-on-monday"]
    assert slugs(hits) == expected, (
        f"over DjangoMarketRepository search_markets('rain in paris', limit=2) returned "
        f"{slugs(hits)}; the service ranks the same whatever stores the markets (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
@pytest.mark.parametrize("repository_class", [InMemoryMarketRepository, ReversedRepository])
def test_search_ties_scores_that_differ_only_by_float_noise(
    repository_class: type[InMemoryMarketRepository],
) -> None:
    # Both names score 1/sqrt(3) for "rain": one says each word once, the other three times.
    # The floating-point sums land one bit apart (0.5773502691896258 vs …257).
    names = ["Rain today Paris", "Rain rain rain today today today Paris Paris Paris"]
    hits = seeded(repository_class(), names).search_markets("rain", limit=10)
    expected = ["rain-rain-rain-today-today-today-paris-paris-paris", "rain-today-paris"]
    scores = [hit.score for hit in hits]
    assert slugs(hits) == expected, (
        f"search_markets('rain') over {names} returned {slugs(hits)} with scores {scores}; both "
        "names score exactly 1/sqrt(3), but float noise puts the computed cosines one bit "
        f"apart, so an unrounded sort lets the noise decide. Round the score (say to 9 digits) "
        f"before sorting, so equal scores tie and the slug breaks the tie: {expected} (task 4)"
    )


@pytest.mark.core
@pytest.mark.task(4)
def test_search_without_a_limit_returns_at_most_10(repository: InMemoryMarketRepository) -> None:
    names = [f"Rain in city {n}" for n in range(12)]
    hits = seeded(repository, names).search_markets("rain")
    assert len(hits) == 10, (
        f"search_markets('rain') with no limit over 12 matching markets returned {len(hits)} "
        "hits; the default limit is 10 (task 4)"
    )
