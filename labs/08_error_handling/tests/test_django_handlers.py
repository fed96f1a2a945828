"""Tasks 5 and 6 (Django): what DRF's EXCEPTION_HANDLER keeps of DRF's errors, and leaves alone."""

from __future__ import annotations

from typing import Any

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


@pytest.mark.task(5)
@pytest.mark.django_db
def test_every_message_drf_gives_a_field_is_kept(as_client: Any) -> None:
    from expect import EDITOR, create, expect_envelope

    slug = "Not-A-Slug-" + "x" * 50  # too long and off the pattern: DRF reports both
    reply = create(as_client("django"), {"name": "Rain", "slug": slug, "tag": "weather"}, **EDITOR)
    error = expect_envelope(
        reply, 400, "validation_failed", "[django] POST /markets", "a bad slug", any_details=True,
        task=5,
    )  # fmt: skip
    assert len(error["details"].get("slug", [])) == 2, (
        f"[django] POST /markets with a slug both too long and off the pattern answered details "
        f"{error['details']}; DRF's ValidationError lists every message of each field — keep "
        "them all, not the first: a client fixing one problem at a time needs several rounds "
        "(task 5)"
    )
