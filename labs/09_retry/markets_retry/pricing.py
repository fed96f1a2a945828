"""Task 5: the price of a market, from the pricing service, through the retrying client.

    GET /prices/{id} on the pricing service → 200 {"market_id": 1, "price": "0.42"}

What our API answers for each thing the pricing service may do:

    200 with a usable price           → 200 {"market_id": 1, "price": "0.42"}
    404                               → 404 not_found
    still 429/502/503/504, or still
    unreachable, after the retries    → 503 upstream_unavailable, Retry-After: 5
    anything else (a 500, a 400, a body
    that is not a price, an error the
    client does not retry)            → 502 bad_gateway

None of our answers carries the pricing service's body or an exception's text.
"""

from __future__ import annotations

import re
from typing import Any

from markets_retry.api import ApiError
from markets_retry.http_client import RetryingClient

PRICE_PATTERN = re.compile(r"(0|[1-9][0-9]{0,8})(\.[0-9]{1,4})?")
UNAVAILABLE_RETRY_AFTER = 5  # seconds our clients should wait when pricing is down


def unavailable() -> ApiError:
    return ApiError(
        503,
        "upstream_unavailable",
        "The pricing service is unavailable; try again later.",
        headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
    )


def bad_gateway() -> ApiError:
    return ApiError(502, "bad_gateway", "The pricing service sent an answer we cannot use.")


def fetch_price(pricing: RetryingClient, market_id: int) -> dict[str, Any]:
    """`{"market_id": …, "price": "0.42"}` from `GET /prices/{market_id}` on `pricing`, or an
    `ApiError`: 404, 502 (`bad_gateway()`) or 503 (`unavailable()`), as the table above says."""
    raise NotImplementedError("TODO(task 5): ask pricing, answer for it — see README task 5")
