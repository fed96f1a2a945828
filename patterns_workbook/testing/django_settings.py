"""Django settings for a lab's tests: the workbook's defaults, then what the lab adds.

A lab's `conftest.py` calls this from `pytest_configure`; pytest-django then sets Django up.
With `DATABASE_URL` set, the lab's SQLite database is replaced by that PostgreSQL server
(`database.django_databases`), so no lab writes its own switch:

    def pytest_configure(config):
        configure_django(
            installed_apps=["rest_framework", "markets_listing.django_listing"],
            root_urlconf="markets_listing.django_listing.urls",
        )
"""

from __future__ import annotations

from typing import Any

from patterns_workbook.testing.database import django_databases

IN_MEMORY_SQLITE = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

# JSON in, JSON out, no authentication: the labs that teach auth (JWT, RBAC) override these.
REST_FRAMEWORK_DEFAULTS: dict[str, Any] = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,  # so DRF needs neither contrib.auth nor contenttypes
}


def configure_django(
    *,
    installed_apps: list[str],
    root_urlconf: str | None = None,
    databases: dict[str, Any] | None = None,
    rest_framework: dict[str, Any] | None = None,
    **overrides: Any,
) -> None:
    """`settings.configure()` once, with DEBUG off, UTC, SQLite in memory and DRF defaults.

    `databases` is the lab's SQLite set-up (default: in memory); `DATABASE_URL` overrides it.
    """
    from django.conf import settings

    if settings.configured:
        return
    values: dict[str, Any] = {
        "DEBUG": False,  # what production runs: no stack traces in error responses
        "SECRET_KEY": "workbook-tests-only-not-a-secret-" + "x" * 32,
        "ALLOWED_HOSTS": ["testserver"],
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "MIDDLEWARE": [],
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "INSTALLED_APPS": installed_apps,
        "DATABASES": django_databases(IN_MEMORY_SQLITE if databases is None else databases),
    }
    if root_urlconf is not None:
        values["ROOT_URLCONF"] = root_urlconf
    if "rest_framework" in installed_apps:
        values["REST_FRAMEWORK"] = {**REST_FRAMEWORK_DEFAULTS, **(rest_framework or {})}
    settings.configure(**{**values, **overrides})
