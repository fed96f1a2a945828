"""The tables behind the Django app. Given."""

from __future__ import annotations

from django.db import models


class Tag(models.Model):
    name = models.CharField(max_length=30, unique=True)

    class Meta:
        db_table = "errors_tags"


class Market(models.Model):
    name = models.CharField(max_length=100)
    slug = models.CharField(max_length=50, unique=True)
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="markets")

    class Meta:
        db_table = "errors_markets"
