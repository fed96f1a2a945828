"""The Django app. Given."""

from __future__ import annotations

import logging

from django.apps import AppConfig

from markets_errors.request_id import RequestIdFilter


class MarketsErrorsConfig(AppConfig):
    name = "markets_errors.django_app"
    label = "markets_errors"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django logs every unhandled exception on "django.request", with its traceback:
        # the filter adds the request id to those records.
        logging.getLogger("django.request").addFilter(RequestIdFilter())
