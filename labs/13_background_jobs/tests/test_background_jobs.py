"""Placeholder tests: replace them with the pattern's behavioural suite."""

import pytest

from markets_jobs.core import describe


@pytest.mark.core
@pytest.mark.task(1)
def test_describe_greets_by_name():
    got = describe("Ada")
    assert got == "Hello, Ada!", (
        f"describe('Ada') returned {got!r}; expected 'Hello, Ada!' (task 1)"
    )


@pytest.mark.parametrize(
    "framework",
    [
        pytest.param("django", marks=pytest.mark.django),
        pytest.param("fastapi", marks=pytest.mark.fastapi),
        pytest.param("flask", marks=pytest.mark.flask),
    ],
)
@pytest.mark.task(1)
def test_describe_strips_the_name(framework):
    got = describe("  Ada ")
    assert got == "Hello, Ada!", (
        f"[{framework}] describe('  Ada ') returned {got!r}; strip the name first (task 1)"
    )
