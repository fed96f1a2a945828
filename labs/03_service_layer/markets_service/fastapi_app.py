"""FastAPI: thin routes over `MarketService`, injected with `Depends`.

Tests swap the service with `app.dependency_overrides[get_market_service] = lambda: fake`.
The models, the route declarations (paths, response models, the errors each route answers)
and the handlers for the framework's own errors are given; the route bodies and the two
handlers at the end are yours (task 6).
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache
from http import HTTPStatus
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictStr
from sqlalchemy.orm import sessionmaker
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException

from .domain import (
    NAME_MAX_LENGTH,
    SLUG_MAX_LENGTH,
    DomainError,
    Status,
    ValidationFailed,
    slugify,
)
from .orm import SqlAlchemyMarketRepository, make_engine
from .service import MarketService
from .web import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
)

# ------------------------------------------------------------------ the wire models (given)


def _char_class(chars: Iterable[str], *, negated: bool = False) -> str:
    """`chars` (in code point order) as a regex class of ranges, read alike by ECMA-262 and `re`.

    ASCII letters and digits and characters beyond the BMP are written as themselves (ECMA's
    `u` mode), the others `\\uXXXX`: `re` knows no `\\u{…}` and ECMA no `\\U…`.
    """
    ranges: list[list[int]] = []
    for point in map(ord, chars):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])

    def spelled(point: int) -> str:
        char = chr(point)
        return char if point > 0xFFFF or (char.isascii() and char.isalnum()) else f"\\u{point:04x}"

    inner = "".join(spelled(a) if a == b else f"{spelled(a)}-{spelled(b)}" for a, b in ranges)
    return f"[{'^' if negated else ''}{inner}]"


@cache
def name_pattern() -> str:
    """The names `create_market` takes, as far as a regex can say: 1 to NAME_MAX_LENGTH
    characters once `str.strip()` trims them, one of them a character `slugify` keeps a letter
    or digit of (é, ﬁ, ①…), none of them a NUL or a lone surrogate (no database stores those).
    Built from those functions themselves, once, when the schema is.
    """
    every = [chr(point) for point in range(sys.maxunicode + 1)]
    space = [char for char in every if char.isspace()]
    # A character a database stores: not a NUL, not a lone surrogate. No surrogate is written in
    # the pattern (Rust's regex, the validator schemathesis runs, refuses one), nor a class of
    # everything else (slow to draw from): the class refuses U+D7FF to U+E000, then takes its ends.
    unstorable = ["\x00", *map(chr, range(0xD7FF, 0xE001))]
    stored, solid = (
        rf"(?:{_char_class(sorted(unstorable + but), negated=True)}|[\ud7ff\ue000])"
        for but in ([], space)
    )
    # A character without a decomposition is its own NFKD: only ASCII ones can be kept.
    kept = [c for c in every if (c.isascii() or unicodedata.decomposition(c)) and slugify(c)]
    blank = _char_class(space)
    return (
        rf"^(?=[\s\S]*{_char_class(kept)}){blank}*"
        rf"{solid}(?:{stored}{{0,{NAME_MAX_LENGTH - 2}}}{solid})?{blank}*$"
    )


class MarketIn(BaseModel):
    """The body of POST /markets. No rule on `name` here: the service owns the name rules.

    The schema documents them (a pattern no one validates against here), so that a client
    reading /docs knows which names are refused.
    """

    model_config = ConfigDict(extra="forbid")

    name: Annotated[
        StrictStr,
        Field(
            description=(
                f"The market's name: 1 to {NAME_MAX_LENGTH} characters once stripped of "
                "surrounding whitespace, with a letter or digit to make the slug from (its "
                "ASCII letters and digits once NFKD-decomposed, joined by hyphens: at most "
                f"{SLUG_MAX_LENGTH} characters, which 'ﬁ' × 61 already exceeds)."
            ),
            examples=["Rain in Paris?"],
            json_schema_extra=lambda schema: schema.update(pattern=name_pattern()),
        ),
    ]


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Status


class MarketOut(BaseModel):
    """`web.market_json`'s shape: money and time as strings, exactly as the other apps send."""

    id: int
    name: str
    slug: str
    status: Status
    volume: Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", examples=["1234.50"])]
    created_at: Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class HitOut(BaseModel):
    market: MarketOut
    score: Annotated[float, Field(gt=0, le=1, description="cosine similarity, 4 decimals")]


class SearchOut(BaseModel):
    results: list[HitOut]


class ErrorFields(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class ErrorOut(BaseModel):
    """The envelope every error is sent in."""

    error: ErrorFields


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorOut} for status in statuses}


def _ascii_digits(raw: object) -> object:
    """Pydantic reads " 5", "+5", "5_000" and "5.0" as 5; the contract: ASCII digits only."""
    if isinstance(raw, str) and not (raw.isascii() and raw.isdigit()):
        raise ValueError("must be a whole number written with the digits 0-9")
    return raw


class _IdConvertor(Convertor[int]):
    """`{market_id:id}`: 1 to 19 ASCII digits, so a 5,000-digit id never reaches `int()`."""

    regex = "[0-9]{1,19}"

    def convert(self, value: str) -> int:
        return int(value)


register_url_convertor("id", _IdConvertor())


def json_body(request: Request) -> None:
    """415 unless the body is declared `application/json` (any case, parameters aside).

    Not `application/*+json`: a vendor type promises a format of its own that this API
    neither reads nor documents.
    """
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        raise HTTPException(415, "the body must be JSON, sent as Content-Type: application/json")


def get_market_service(request: Request) -> MarketService:
    """The app's service; the one dependency tests override."""
    return request.app.state.market_service


ServiceDep = Annotated[MarketService, Depends(get_market_service)]
SearchText = Annotated[str, Query(description="the text to search for (required; may be empty)")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT), BeforeValidator(_ascii_digits)]
JsonBody = [Depends(json_body)]


def create_app(database_url: str = "sqlite://") -> FastAPI:
    app = FastAPI(title="Markets service")
    app.state.sessions = sessionmaker(make_engine(database_url))
    app.state.market_service = MarketService(SqlAlchemyMarketRepository(app.state.sessions))
    app.add_exception_handler(RequestValidationError, invalid_request_response)
    app.add_exception_handler(DomainError, domain_error_response)
    app.add_exception_handler(HTTPException, http_error_response)
    app.add_exception_handler(Exception, server_error_response)
    app.include_router(router)
    app.openapi = lambda: _openapi_without_422(app)  # type: ignore[method-assign]
    return app


def validation_failed(errors: Iterable[Mapping[str, Any]]) -> ValidationFailed:
    """Pydantic's errors as a ValidationFailed whose details name each field (or "body")."""
    details: dict[str, list[str]] = {}
    for error in errors:
        where, *rest = error["loc"]
        whole = error["type"] == "json_invalid" or not rest
        field = str(where) if whole else ".".join(str(part) for part in rest)
        details.setdefault(field, []).append(error["msg"])
    return ValidationFailed("the request is invalid", details=details)


async def http_error_response(request: Request, exc: HTTPException) -> JSONResponse:
    """The framework's own errors (404 no route, 405 with its Allow, 415, an unreadable body).

    Each path here is served by one route, so Starlette's `Allow` is complete (lab 01 shows
    how to rebuild it when several routes share a path).
    """
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    body = {"error": {"code": code, "message": str(exc.detail), "details": {}}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def server_error_response(request: Request, exc: Exception) -> JSONResponse:
    """A bug: 500 in the envelope, and nothing about it (the traceback goes to the log)."""
    body = {"error": {"code": "internal_error", "message": "Internal server error", "details": {}}}
    return JSONResponse(body, status_code=500)


def _openapi_without_422(app: FastAPI) -> dict[str, Any]:
    """FastAPI advertises a 422 on every route with parameters; this app answers 400."""
    if app.openapi_schema is None:
        schema = FastAPI.openapi(app)
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].pop("422", None)
        for name in ("HTTPValidationError", "ValidationError"):
            schema["components"]["schemas"].pop(name, None)
    return app.openapi_schema


# ------------------------------------------------------------------ yours (task 6)

router = APIRouter()


@router.post(
    "/markets",
    status_code=201,
    response_model=MarketOut,
    responses=_errors(400, 409, 415),
    dependencies=JsonBody,
)
def create_market(body: MarketIn, service: ServiceDep) -> dict[str, Any]:
    """201 with the new market."""
    raise NotImplementedError(
        "TODO(task 6): call service.create_market; answer 201 with market_json — see README task 6"
    )


@router.get("/markets/search", response_model=SearchOut, responses=_errors(400))
def search_markets(
    service: ServiceDep, q: SearchText, limit: Limit = DEFAULT_LIMIT
) -> dict[str, Any]:
    """200 with `{"results": [{"market": …, "score": …}, …]}`, best first."""
    raise NotImplementedError(
        "TODO(task 6): call service.search_markets; 200, hits in its order — see README task 6"
    )


@router.get("/markets/{market_id:id}", response_model=MarketOut, responses=_errors(404))
def get_market(market_id: int, service: ServiceDep) -> dict[str, Any]:
    """200 with the market."""
    raise NotImplementedError(
        "TODO(task 6): call service.get_market; answer 200 with market_json — see README task 6"
    )


@router.post(
    "/markets/{market_id:id}/transitions",
    response_model=MarketOut,
    responses=_errors(400, 404, 409, 415),
    dependencies=JsonBody,
)
def transition_market(market_id: int, body: TransitionIn, service: ServiceDep) -> dict[str, Any]:
    """200 with the market in its new status."""
    raise NotImplementedError(
        "TODO(task 6): call service.transition; answer 200 with market_json — see README task 6"
    )


async def domain_error_response(request: Request, exc: DomainError) -> JSONResponse:
    """Any DomainError a route lets through: its HTTP status and the JSON error envelope."""
    raise NotImplementedError(
        "TODO(task 6): answer a DomainError with error_status and error_body — see README task 6"
    )


async def invalid_request_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """A body or query FastAPI refused: a ValidationFailed, answered like the service's own."""
    raise NotImplementedError(
        "TODO(task 6): a validation error → 400 + the envelope — see README task 6"
    )
