"""Notebook 12 scaffolding: a Django URLconf built from a cell, served by the workbook client."""

from __future__ import annotations

import sys
import types
from typing import Any

from patterns_workbook.testing.http import HttpClient, as_client


def django_client(urlpatterns: list[Any]) -> HttpClient:
    """Serve `urlpatterns` with Django (configured once, no database) and return a client."""
    import django
    from django.conf import settings
    from django.urls import clear_url_caches

    module = types.ModuleType("nb12_urls")
    module.urlpatterns = urlpatterns  # type: ignore[attr-defined]
    sys.modules["nb12_urls"] = module
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="notebook-only-not-a-secret-" + "x" * 32,
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF="nb12_urls",
            INSTALLED_APPS=[],
            MIDDLEWARE=[],
            DATABASES={},
            USE_TZ=True,
        )
        django.setup()
    clear_url_caches()
    return as_client("django")
