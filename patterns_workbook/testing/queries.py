"""Count the SQL a block of code runs, in Django and in SQLAlchemy.

`with count_django_queries() as queries:` runs the block, then `len(queries)` is the number of
statements and `queries.report()` lists them, for a failure message a learner can read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Queries(list[str]):
    """The SQL statements run inside the block, in order."""

    def report(self, limit: int = 20) -> str:
        """The statements, numbered, at most `limit` of them, and the most repeated one."""
        lines = [f"{len(self)} queries ran:"]
        lines += [f"  {n}. {sql[:200]}" for n, sql in enumerate(self[:limit], 1)]
        if len(self) > limit:
            lines.append(f"  … and {len(self) - limit} more")
        if self:
            sql, times = Counter(self).most_common(1)[0]
            if times > 1:
                lines.append(f"most repeated (×{times}): {sql[:200]}")
        return "\n".join(lines)


@contextmanager
def count_django_queries(using: str = "default") -> Iterator[Queries]:
    from django.db import connections

    queries = Queries()

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connections[using].execute_wrapper(record):
        yield queries


@contextmanager
def count_sqlalchemy_queries(engine: Any) -> Iterator[Queries]:
    from sqlalchemy import event

    queries = Queries()

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        queries.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield queries
    finally:
        event.remove(engine, "before_cursor_execute", record)
