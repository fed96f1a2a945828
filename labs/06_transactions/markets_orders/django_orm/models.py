"""Django tables for users with a balance, markets, positions and idempotency keys. Given."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone


class User(models.Model):
    username = models.CharField(max_length=150, unique=True)
    balance = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        constraints = (
            # The last line of defence: a bug that overdraws fails loudly instead of silently.
            # Conditional updates (task 2) never reach it; they refuse first.
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="orders_user_balance_not_negative"
            ),
        )

    def __str__(self) -> str:
        return self.username


class Market(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    status = models.CharField(max_length=10, default="draft")  # draft|active|closed|resolved
    volume = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    creator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="markets")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.slug


class Position(models.Model):
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="positions")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="positions")
    side = models.CharField(max_length=3)  # yes|no
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)


class IdempotencyRecord(models.Model):
    """The first answer to a request that carried an `Idempotency-Key`, per user."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="idempotency_records")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # orders.request_fingerprint(...)
    position = models.ForeignKey(Position, on_delete=models.PROTECT)
    balance_after = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["user", "key"], name="orders_one_record_per_key"),
        )
