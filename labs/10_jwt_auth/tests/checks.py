"""What every refused request must look like: a 401, its challenge, the envelope."""

from __future__ import annotations

from patterns_workbook.testing.hostile import envelope_problem
from patterns_workbook.testing.http import Reply


def refusal_problems(reply: Reply, *, token_sent: bool, code: str | None = None) -> list[str]:
    """Why `reply` is not a proper 401 (RFC 6750 §3, docs/design.md §2), or [].

    The envelope's code is `invalid_token` for a refused token, `not_authenticated` when no
    Bearer credentials came at all (or `code`, for the login's `invalid_credentials`).
    """
    if reply.status != 401:
        hint = (
            " A 403 says 'you are known and not allowed'; here the caller is not known at "
            "all. In DRF, an authentication class without authenticate_header() makes "
            "IsAuthenticated answer 403."
            if reply.status == 403
            else ""
        )
        return [f"the answer must be 401 Unauthorized, not {reply.status}.{hint}"]
    problems = []
    challenge = reply.header("www-authenticate") or ""
    if not challenge.lower().startswith("bearer"):
        problems.append(
            f"a 401 carries a WWW-Authenticate challenge naming the Bearer scheme "
            f"(RFC 9110 §11.6.1, RFC 6750 §3); got {challenge or 'none'!r}"
        )
    elif token_sent and 'error="invalid_token"' not in challenge:
        problems.append(
            f'a refused Bearer token is named in the challenge: error="invalid_token" '
            f"(RFC 6750 §3.1); got {challenge!r}"
        )
    elif not token_sent and "error=" in challenge:
        problems.append(
            f"a request without Bearer credentials gets a challenge with no error code "
            f"(RFC 6750 §3.1); got {challenge!r}"
        )
    if problem := envelope_problem(reply):
        problems.append(problem)
    else:
        expected = code or ("invalid_token" if token_sent else "not_authenticated")
        got = reply.json()["error"]["code"]
        if got != expected:
            problems.append(
                f"the envelope's code is {expected!r}, not {got!r}: the contract's own 401, "
                "raised by the app (contract.NotAuthenticated, InvalidToken), never the "
                "framework's default one (FastAPI: HTTPBearer(auto_error=False))"
            )
    return problems


def shown(reply: Reply) -> str:
    return f"{reply.status} {reply.text[:200]}"
