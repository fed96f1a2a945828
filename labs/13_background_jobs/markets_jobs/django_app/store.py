"""Reading and writing market rows with the Django ORM. Given: your service calls these.

`insert_market` writes inside the caller's transaction and never commits one of its own
(its `atomic()` is a savepoint when the caller holds a transaction): the market row, then its
"created" event (the audit trail). Outside any transaction, Django commits each statement
on its own: the market would be saved even if the event then failed.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from markets_jobs.django_app.models import Market, MarketEvent
from markets_jobs.domain import MarketDoc, NewMarket, SlugTaken


def insert_market(data: NewMarket) -> Market:
    """Insert the market and its audit event; SlugTaken if the slug is taken."""
    try:
        with transaction.atomic():  # a savepoint: the failed INSERT is undone on its own
            market = Market.objects.create(name=data.name, slug=data.slug)
    except IntegrityError:
        raise SlugTaken(data.slug) from None
    record_created(market)
    return market


def record_created(market: Market) -> None:
    MarketEvent.objects.create(market=market, kind="created")


def as_doc(market: Market) -> MarketDoc:
    return MarketDoc(id=market.pk, name=market.name, slug=market.slug)


def load_market(market_id: int) -> MarketDoc | None:
    """The committed market `market_id`, or None: what a worker reads markets with."""
    market = Market.objects.filter(pk=market_id).first()
    return None if market is None else as_doc(market)
