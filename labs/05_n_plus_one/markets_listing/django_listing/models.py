"""The Django models (given: you do not edit them). The app label is `listing`."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone


class User(models.Model):
    class Role(models.TextChoices):
        TRADER = "trader"
        MODERATOR = "moderator"

    username = models.CharField(max_length=150, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.TRADER)

    def __str__(self) -> str:
        return self.username


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Market(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft"
        ACTIVE = "active"
        CLOSED = "closed"
        RESOLVED = "resolved"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    volume = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0.00"))
    creator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="markets")
    tags = models.ManyToManyField(Tag, related_name="markets", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.slug


class Position(models.Model):
    class Side(models.TextChoices):
        YES = "yes"
        NO = "no"

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="positions")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="positions")
    side = models.CharField(max_length=3, choices=Side.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
