"""Task 1 — create a market: a slug derived from the name, unique, or Conflict."""

from __future__ import annotations

from datetime import timedelta

import pytest
from expect import raises

from markets_service.domain import (
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    Conflict,
    NotFound,
    Status,
    ValidationFailed,
    slugify,
)
from markets_service.repository import InMemoryMarketRepository
from markets_service.service import MarketService


@pytest.mark.core
@pytest.mark.task(1)
def test_create_market_derives_slug_from_name(service: MarketService) -> None:
    market = service.create_market("Will it rain in Paris?")
    assert market.slug == "will-it-rain-in-paris", (
        f"create_market('Will it rain in Paris?') gave slug {market.slug!r}; the slug is "
        "slugify(name): lower-case words joined by hyphens, 'will-it-rain-in-paris' (task 1)"
    )
    assert market.status == Status.DRAFT, (
        f"a new market came back {market.status!r}; every market starts as a draft (task 1)"
    )
    assert market.id is not None, (
        "create_market returned a market without an id; return what repository.add() "
        "gave back, which carries the id (task 1)"
    )
    assert market.created_at.utcoffset() == timedelta(0), (
        f"created_at is {market.created_at!r}; timestamps are timezone-aware UTC (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
def test_create_market_stores_trimmed_name_in_the_repository(
    service: MarketService, repository: InMemoryMarketRepository
) -> None:
    market = service.create_market("  Rain in Paris  ")
    stored = repository.get_by_slug("rain-in-paris")
    assert stored is not None, (
        "after create_market('Rain in Paris') the repository has no market with slug "
        "'rain-in-paris'; the service must add() it (task 1)"
    )
    assert (market.name, stored.name) == ("Rain in Paris", "Rain in Paris"), (
        f"create_market('  Rain in Paris  ') stored name {stored.name!r} and returned "
        f"{market.name!r}; surrounding spaces are stripped before storing (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("\tRain in Paris\n", "Rain in Paris"),
        ("\u00a0Rain in Paris\u3000", "Rain in Paris"),
        ("Rain  in\tParis", "Rain  in\tParis"),
    ],
    ids=["tab-and-newline", "nbsp-and-ideographic-space", "interior-whitespace"],
)
def test_create_strips_surrounding_whitespace_only(
    service: MarketService, sent: str, stored: str
) -> None:
    market = service.create_market(sent)
    assert market.name == stored, (
        f"create_market({sent!r}) stored the name {market.name!r}; expected {stored!r}: "
        "str.strip() removes all surrounding whitespace (tabs, newlines, no-break spaces, not "
        "only ' ': strip(' ') keeps them) and nothing else — the interior is the client's "
        "text, kept as sent (no ' '.join(name.split())) (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
def test_create_counts_interior_whitespace_in_the_length(
    service: MarketService, repository: InMemoryMarketRepository
) -> None:
    name = "Rain" + " " * 113 + "Paris"  # 122 characters, 10 once its spaces are collapsed
    with raises(
        ValidationFailed,
        f"create_market('Rain' + ' ' * 113 + 'Paris') must be refused: it has {len(name)} "
        f"characters once stripped, more than {NAME_MAX_LENGTH}; the length is that of the "
        "name as stored, interior spaces included, not of a collapsed copy (task 1)",
    ):
        service.create_market(name)
    assert not repository.all_markets(), "a refused create stores nothing (task 1)"


@pytest.mark.core
@pytest.mark.task(1)
@pytest.mark.parametrize("second", ["Rain in Paris", "rain in paris!", "  RAIN  in  PARIS  "])
def test_create_with_taken_slug_raises_conflict(
    service: MarketService, repository: InMemoryMarketRepository, second: str
) -> None:
    service.create_market("Rain in Paris")
    with raises(
        Conflict,
        f"create_market({second!r}) after 'Rain in Paris' must raise Conflict: "
        "the slug is taken (task 1)",
    ) as caught:
        service.create_market(second)
    assert caught.value and caught.value.details.get("slug") == "rain-in-paris", (
        f"Conflict details were {caught.value.details!r}; name the taken slug: "
        "details={'slug': 'rain-in-paris'} (task 1)"
    )
    count = len(repository.all_markets())
    assert count == 1, (
        f"after a Conflict the repository holds {count} markets; a rejected create stores "
        "nothing (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
@pytest.mark.parametrize("name", ["", "   ", "?!", "x" * 121, "Rain in Paris" + "!" * 110])
def test_create_with_unusable_name_raises_validation_failed(
    service: MarketService, repository: InMemoryMarketRepository, name: str
) -> None:
    why = (
        f"create_market({name[:12]!r}…, {len(name)} characters) must be refused: a name needs "
        "a letter or digit and has at most 120 characters, counted on the stripped name, not "
        "on its slug (task 1)"
    )
    with raises(ValidationFailed, why) as caught:
        service.create_market(name)
    details = caught.value.details if caught.value else {}
    assert "name" in details, (
        f"create_market({name[:12]!r}…) raised ValidationFailed with details {details!r}; "
        "name the refused field, ValidationFailed.on('name', message) gives "
        "{'name': [message]} — the 400 the views send names the field from it (task 1)"
    )
    count = len(repository.all_markets())
    assert count == 0, (
        f"create_market({name[:12]!r}…) stored a market; a blank name, one without letters "
        "or digits, or one over 120 characters is rejected before anything is stored. The "
        "limit is on the name (after stripping), not on its slug: 'Rain in Paris' followed by "
        "110 '!' is 123 characters although its slug is 13 (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
def test_create_accepts_a_name_of_exactly_the_maximum_length_once_trimmed(
    service: MarketService,
) -> None:
    longest = "x" * NAME_MAX_LENGTH
    try:
        market = service.create_market(f"  {longest}  ")
    except ValidationFailed as refused:
        pytest.fail(
            f"create_market('  ' + 'x' * {NAME_MAX_LENGTH} + '  ') raised ValidationFailed"
            f"({refused}); the limit is inclusive (at most {NAME_MAX_LENGTH} characters, so "
            f"'>' not '>='), and it applies to the name after stripping its spaces (task 1)",
            pytrace=False,
        )
    assert market.name == longest, (
        f"create_market('  ' + 'x' * {NAME_MAX_LENGTH} + '  ') stored a name of "
        f"{len(market.name)} characters; expected the {NAME_MAX_LENGTH} characters left "
        "after stripping (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
def test_create_refuses_a_name_whose_slug_outgrows_the_slug_column(
    service: MarketService, repository: InMemoryMarketRepository
) -> None:
    name = "\ufb01" * 100  # the ligature 'ﬁ': 100 characters, a name the length rule allows
    slug = slugify(name)
    why = (
        f"create_market('ﬁ' * 100) must be refused: the name has 100 characters (at most "
        f"{NAME_MAX_LENGTH}), but NFKD spells each ligature 'ﬁ' as 'fi', so its slug has "
        f"{len(slug)} characters and the slug column holds {SLUG_MAX_LENGTH}. PostgreSQL "
        "refuses that INSERT (a 500) where SQLite silently stores it; refuse it yourself with "
        f"ValidationFailed.on('name', …) when len(slug) > SLUG_MAX_LENGTH (task 1)"
    )
    with raises(ValidationFailed, why) as caught:
        service.create_market(name)
    details = caught.value.details if caught.value else {}
    assert "name" in details and not repository.all_markets(), (
        f"create_market('ﬁ' * 100) raised ValidationFailed with details {details!r} and left "
        f"{len(repository.all_markets())} markets stored; name the field the client sent, "
        "ValidationFailed.on('name', …), and store nothing (task 1)"
    )
    longest = "\ufb01" * (SLUG_MAX_LENGTH // 2)
    try:
        service.create_market(longest)
    except ValidationFailed as refused:
        pytest.fail(
            f"create_market('ﬁ' * {SLUG_MAX_LENGTH // 2}) raised ValidationFailed({refused}); "
            f"its slug has exactly {SLUG_MAX_LENGTH} characters, which the column holds: the "
            "limit is inclusive ('>' not '>=') (task 1)",
            pytrace=False,
        )


@pytest.mark.core
@pytest.mark.task(1)
@pytest.mark.parametrize(
    "name",
    ["Rain in Paris\x00", "\x00Rain", "Rain\ud800 in Paris", "Rain\udfff", "Rain\udc00\ud800"],
    ids=["NUL-at-the-end", "NUL-first", "high-surrogate", "last-surrogate", "reversed-pair"],
)
def test_create_refuses_text_no_database_stores(
    service: MarketService, repository: InMemoryMarketRepository, name: str
) -> None:
    why = (
        f"create_market({name!r}) must be refused with ValidationFailed.on('name', …): "
        "PostgreSQL refuses a NUL ('\\x00') in text and UTF-8 cannot encode a lone surrogate "
        "(U+D800 to U+DFFF, which JSON's '\\ud800' escape delivers), so SQLite answers a "
        "UnicodeEncodeError (a 500) and PostgreSQL an error; refuse both, every one of "
        "U+D800 to U+DFFF, before anything is stored (task 1)"
    )
    with raises(ValidationFailed, why) as caught:
        service.create_market(name)
    details = caught.value.details if caught.value else {}
    assert "name" in details and not repository.all_markets(), (
        f"create_market({name!r}) raised ValidationFailed with details {details!r} and left "
        f"{len(repository.all_markets())} markets stored; name the field the client sent, "
        "ValidationFailed.on('name', …), and store nothing (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
@pytest.mark.parametrize("name", ["Rain \ud7fb", "Rain \ue000"], ids=["U+D7FB", "U+E000"])
def test_create_accepts_the_characters_beside_the_surrogates(
    service: MarketService, name: str
) -> None:
    try:
        market = service.create_market(name)
    except ValidationFailed as refused:
        pytest.fail(
            f"create_market({name!r}) raised ValidationFailed({refused}); only a NUL and the "
            "lone surrogates U+D800 to U+DFFF are unstorable: U+D7FB (Hangul) and U+E000 "
            "(private use) just outside that range are ordinary text (task 1)",
            pytrace=False,
        )
    assert market.name == name, (
        f"create_market({name!r}) stored the name {market.name!r}; a name is stored as sent, "
        "stripped of surrounding whitespace only (task 1)"
    )


@pytest.mark.core
@pytest.mark.task(1)
def test_get_market_returns_it_or_raises_not_found(service: MarketService) -> None:
    created = service.create_market("Rain in Paris")
    fetched = service.get_market(created.id)
    assert fetched.slug == "rain-in-paris", (
        f"get_market({created.id}) returned {fetched!r}; it returns the stored market (task 1)"
    )
    with raises(NotFound, "get_market(999) on an empty repository (task 1)"):
        service.get_market(999)


@pytest.mark.sqlalchemy
@pytest.mark.task(1)
def test_service_over_sqlalchemy_creates_and_rejects_taken_slug(
    sqlalchemy_repository: InMemoryMarketRepository,
) -> None:
    service = MarketService(sqlalchemy_repository)
    market = service.create_market("Rain in Paris")
    assert service.get_market(market.id).slug == "rain-in-paris", (
        "a market created through the service over SqlAlchemyMarketRepository was not found "
        "again by get_market (task 1)"
    )
    with raises(Conflict, "a second create_market('rain in paris') over the ORM (task 1)"):
        service.create_market("rain in paris")


@pytest.mark.django
@pytest.mark.task(1)
def test_service_over_django_orm_creates_and_rejects_taken_slug(
    django_repository: InMemoryMarketRepository,
) -> None:
    service = MarketService(django_repository)
    market = service.create_market("Rain in Paris")
    assert service.get_market(market.id).slug == "rain-in-paris", (
        "a market created through the service over DjangoMarketRepository was not found "
        "again by get_market (task 1)"
    )
    with raises(Conflict, "a second create_market('rain in paris') over the ORM (task 1)"):
        service.create_market("rain in paris")
