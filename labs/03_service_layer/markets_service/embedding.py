"""A small deterministic text embedding: hashed bag of words, L2-normalised.

A stand-in for a sentence-embedding model with the same interface (text → unit vector,
compared by cosine), small enough to run offline and in tests. It only sees shared words,
so "rain" and "precipitation" are strangers to it; the service around it does not care.
"""

from __future__ import annotations

DIMENSIONS = 256
Vector = tuple[float, ...]


def tokenize(text: str) -> list[str]:
    """Lower-cased runs of letters and digits: `"Rain, in PARIS?"` → `["rain", "in", "paris"]`."""
    raise NotImplementedError("TODO(task 3): split text into lower-case words — see README task 3")


def bucket(token: str) -> int:
    """The vector index (0 ≤ i < DIMENSIONS) of `token`: the same in every process."""
    raise NotImplementedError("TODO(task 3): hash a token to an index — see README task 3")


def embed(text: str) -> Vector:
    """Count each token into its bucket, then scale to unit length; no tokens → zero vector."""
    raise NotImplementedError("TODO(task 3): build the unit vector — see README task 3")


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity; 0.0 when either vector is zero (no shared meaning, no division)."""
    raise NotImplementedError("TODO(task 3): cosine similarity — see README task 3")
