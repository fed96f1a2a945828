"""Route templates in one spelling across the three frameworks. Given.

Django says `markets/<int:market_id>`, Flask `/markets/<int:market_id>` and FastAPI
`/markets/{market_id:int}`; a dashboard that groups requests by route wants one spelling:
`/markets/{market_id}`.
"""

from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)(?::\w+)?\}")


def template(route: str) -> str:
    """`markets/<int:market_id>` → `/markets/{market_id}`, whichever framework spelled it."""
    spelled = _PLACEHOLDER.sub(lambda m: "{" + (m[1] or m[2]) + "}", route)
    return spelled if spelled.startswith("/") else f"/{spelled}"
