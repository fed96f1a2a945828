"""A Django URLconf built from a notebook cell, served by the workbook client (notebooks 09, 12)."""

from __future__ import annotations

import sys
import types
from typing import Any

from patterns_workbook.testing.http import HttpClient, as_client

URLCONF = "notebook_urls"  # replaced by each call: the kernel configures Django once


def django_client(urlpatterns: list[Any]) -> HttpClient:
    """Serve `urlpatterns` with Django (configured once, no database) and return a client."""
    import django
    from django.conf import settings
    from django.urls import clear_url_caches

    module = types.ModuleType(URLCONF)
    module.urlpatterns = urlpatterns  # type: ignore[attr-defined]
    sys.modules[URLCONF] = module
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY="notebook-only-not-a-secret-" + "x" * 32,
            ALLOWED_HOSTS=["testserver"],
            ROOT_URLCONF=URLCONF,
            INSTALLED_APPS=[],
            MIDDLEWARE=[],
            DATABASES={},
            USE_TZ=True,
        )
        django.setup()
    clear_url_caches()
    return as_client("django")
