"""The domain: a market, its lifecycle states, and the errors the service raises. Given."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

NAME_MAX_LENGTH = 120
SLUG_MAX_LENGTH = 120  # the slug column's length: NFKD can make a slug longer than its name
MAX_ID = 2**63 - 1  # the largest id a row can have: SQLite's INTEGER, PostgreSQL's bigint


class Status(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    RESOLVED = "resolved"


@dataclass
class Market:
    """A prediction market as the service sees it, whatever stores it."""

    name: str
    slug: str
    status: Status = Status.DRAFT
    volume: Decimal = Decimal("0")
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    id: int | None = None  # set by the repository on `add`


@dataclass(frozen=True)
class SearchHit:
    market: Market
    score: float  # cosine similarity in (0, 1]


def slugify(name: str) -> str:
    """`"Rain in Paris?"` → `"rain-in-paris"`: ASCII letters and digits joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))


class DomainError(Exception):
    """A business rule said no. `code` is stable and machine-readable; views map it to HTTP."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The request clashes with existing data (a slug already taken)."""

    code = "conflict"


class InvalidTransition(DomainError):
    """The market's current status does not allow the requested move."""

    code = "invalid_transition"


class ValidationFailed(DomainError):
    """The input itself is unacceptable (a blank name, a limit of 0).

    `details` maps each refused field to its messages: `{"name": ["…"]}`.
    """

    code = "validation_failed"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        """`ValidationFailed.on("name", "…")`: the message, and details naming the field."""
        return cls(message, details={field: [message]})
