"""Tasks 4 and 6 (Django): what DRF's EXCEPTION_HANDLER returns, called directly."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django


@pytest.mark.task(6)
@pytest.mark.parametrize("exc", [RuntimeError("boom"), KeyError("password"), ZeroDivisionError()])
def test_the_drf_handler_leaves_a_bug_to_django(exc: Exception) -> None:
    from markets_errors.django_app.handlers import exception_handler

    got = exception_handler(exc, {"request": None, "view": None})
    assert got is None, (
        f"exception_handler({exc!r}, context) returned {got!r}; for an exception that is "
        "neither an ApiError nor one of DRF's, return None: DRF re-raises it, Django logs it "
        "once on 'django.request' with its traceback, and handler500 answers (task 6)"
    )
