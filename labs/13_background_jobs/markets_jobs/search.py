"""A search index on Redis, with the two writes real search engines offer. Given.

    index.add(document)          -> a new id every call, like `POST /<index>/_doc`
    index.put(doc_id, document)  -> create or replace the document `doc_id`, like
                                    `PUT /<index>/_doc/<id>` (Elasticsearch, OpenSearch)
                                    or Meilisearch's primary key

Documents live in one Redis hash (`search:docs`, id → JSON), so a test can read them all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import redis

DOCS = "search:docs"
NEXT_ID = "search:next_id"

Document = Mapping[str, Any]


class SearchIndex:
    def __init__(self, connection: redis.Redis) -> None:
        self.connection = connection

    def add(self, document: Document) -> str:
        """Store `document` under a new id and return that id."""
        doc_id = f"auto:{self.connection.incr(NEXT_ID)}"
        self.put(doc_id, document)
        return doc_id

    def put(self, doc_id: str, document: Document) -> None:
        """Store `document` under `doc_id`, replacing what was there."""
        self.connection.hset(DOCS, doc_id, json.dumps(dict(document), sort_keys=True))

    def documents(self) -> dict[str, dict[str, Any]]:
        """Every stored document, by id."""
        raw = self.connection.hgetall(DOCS)
        return {_text(key): json.loads(value) for key, value in raw.items()}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
