"""The FastAPI security dependency every markets route depends on (task 5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from markets_jwt.auth import authenticate
from markets_jwt.store import User

# auto_error=False: FastAPI's own error would not be the envelope, nor say invalid_token.
bearer_scheme = HTTPBearer(auto_error=False, description="An access token from POST /auth/token")


def current_user(
    request: Request,
    _scheme: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
) -> User:
    """The user the request's Bearer token names, or an AuthError (the app answers 401).

    `_scheme` puts the Bearer scheme in the OpenAPI schema; the header itself is read by
    `bearer_token`, the one RFC 6750 rule all three frameworks share.
    """
    return authenticate(request.app.state.services, request.headers.get("Authorization"))
