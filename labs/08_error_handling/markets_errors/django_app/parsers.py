"""DRF's JSON parser, hardened. Given.

`json.loads` raises RecursionError (not a ValueError) for an object nested 10,000 deep, and
DRF's parser only turns ValueError into a ParseError: without this, such a body is a 500.
"""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply") from None
