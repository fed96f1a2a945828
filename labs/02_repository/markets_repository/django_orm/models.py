"""Django tables for DESIGN §2's markets: Market → User (creator), Market ↔ Tag. Given.

Timestamps are plain `DateTimeField`s: the repository sets them from its clock, so the three
adapters agree on what `created_at` and `updated_at` mean.
"""

from __future__ import annotations

from django.db import models


class User(models.Model):
    username = models.CharField(max_length=150, unique=True)
    role = models.CharField(max_length=20, default="member")

    def __str__(self) -> str:
        return self.username


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class MarketRow(models.Model):
    """One stored market. Named `…Row` so it is never mistaken for the domain `Market`."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    status = models.CharField(max_length=10, default="draft")
    # Indexed: "markets by volume" is the listing clients page through most.
    volume = models.DecimalField(max_digits=14, decimal_places=2, default=0, db_index=True)
    creator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="markets")
    tags = models.ManyToManyField(Tag, related_name="markets", blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "market"

    def __str__(self) -> str:
        return self.slug
