"""A small deterministic text embedding: hashed bag of words, L2-normalised.

A stand-in for a sentence-embedding model with the same interface (text → unit vector,
compared by cosine), small enough to run offline and in tests. It only sees shared words,
so "rain" and "precipitation" are strangers to it; the service around it does not care.
"""

from __future__ import annotations

import hashlib
import math
import operator
import re

DIMENSIONS = 256
Vector = tuple[float, ...]

_WORD = re.compile(r"[^\W_]+")


def tokenize(text: str) -> list[str]:
    """Lower-cased runs of letters and digits: `"Rain, in PARIS?"` → `["rain", "in", "paris"]`."""
    return _WORD.findall(text.casefold())


def bucket(token: str) -> int:
    """The vector index of `token`, the same in every process.

    blake2b, not the built-in `hash()`: `hash(str)` is salted per process (PYTHONHASHSEED),
    so vectors built in one worker would not match those built in another.
    """
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % DIMENSIONS


def embed(text: str) -> Vector:
    """Count each token into its bucket, then scale to unit length; no tokens → zero vector."""
    counts = [0.0] * DIMENSIONS
    for token in tokenize(text):
        counts[bucket(token)] += 1.0
    norm = math.sqrt(sum(c * c for c in counts))
    if norm == 0.0:
        return tuple(counts)
    return tuple(c / norm for c in counts)


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity; 0.0 when either vector is zero (no shared meaning, no division)."""
    norm_a = math.sqrt(sum(x * x for x in a))
    norm_b = math.sqrt(sum(y * y for y in b))
    if norm_a == 0.0 or norm_b == 0.0:
        return 0.0
    return sum(map(operator.mul, a, b)) / (norm_a * norm_b)
