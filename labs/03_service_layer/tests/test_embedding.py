"""Task 3 — a deterministic embedding: hashed bag of words, unit length, same everywhere."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from markets_service.embedding import DIMENSIONS, cosine, embed, tokenize

LAB = Path(__file__).resolve().parents[1]
SENTENCE = "Will it rain in Paris before the bitcoin halving of 2028"


def norm(vector: tuple[float, ...]) -> float:
    return math.sqrt(sum(x * x for x in vector))


@pytest.mark.core
@pytest.mark.task(3)
def test_tokenize_lowercases_and_splits_on_non_word_characters() -> None:
    tokens = tokenize("Rain, in PARIS? BTC-100k by 2030!")
    expected = ["rain", "in", "paris", "btc", "100k", "by", "2030"]
    assert tokens == expected, (
        f"tokenize('Rain, in PARIS? BTC-100k by 2030!') returned {tokens!r}; expected "
        f"{expected!r}: lower-cased runs of letters and digits, in order (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
def test_embed_returns_a_unit_vector_of_fixed_dimension() -> None:
    vector = embed(SENTENCE)
    assert len(vector) == DIMENSIONS, (
        f"embed(...) returned {len(vector)} numbers; every vector has DIMENSIONS = "
        f"{DIMENSIONS} (task 3)"
    )
    assert math.isclose(norm(vector), 1.0, rel_tol=1e-9), (
        f"embed(...) has length {norm(vector)}; scale the counts to unit length (L2) so "
        "cosine compares direction, not how long a name is (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
def test_embed_ignores_case_and_punctuation_but_counts_repeats() -> None:
    assert embed("Rain, PARIS!") == embed("rain paris"), (
        "embed('Rain, PARIS!') differs from embed('rain paris'); both have the tokens "
        "['rain', 'paris'] and must give the same vector (task 3)"
    )
    assert embed("rain rain paris") != embed("rain paris"), (
        "embed('rain rain paris') equals embed('rain paris'); a bag of words counts each "
        "occurrence before normalising (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
@pytest.mark.parametrize("text", ["", "   ", "?!", "—"])
def test_text_without_words_embeds_to_the_zero_vector(text: str) -> None:
    vector = embed(text)
    assert vector == (0.0,) * DIMENSIONS, (
        f"embed({text!r}) returned a non-zero vector (or the wrong length); no token means "
        f"the zero vector of {DIMENSIONS} numbers — never a division by zero (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
def test_cosine_scores_shared_words_and_is_zero_for_a_zero_vector() -> None:
    same = cosine(embed("rain in paris"), embed("Paris: in rain"))
    assert math.isclose(same, 1.0, rel_tol=1e-9), (
        f"cosine of 'rain in paris' and 'Paris: in rain' is {same}; same words, any order, "
        "is 1.0 (task 3)"
    )
    partial = cosine(embed("rain in paris"), embed("rain in london"))
    unrelated = cosine(embed("rain in paris"), embed("bitcoin halving"))
    assert 0.0 < partial < 1.0 and unrelated < partial, (
        f"cosine gave {partial} for two names sharing 2 of 3 words and {unrelated} for names "
        "sharing none; shared words score between 0 and 1, more than unrelated ones (task 3)"
    )
    zero = cosine(embed(""), embed("rain"))
    assert zero == 0.0, (
        f"cosine(zero vector, embed('rain')) returned {zero}; a zero vector is similar to "
        "nothing: 0.0, not NaN and not ZeroDivisionError (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
def test_cosine_divides_by_the_norms_of_vectors_that_are_not_unit_length() -> None:
    padding = (0.0,) * (DIMENSIONS - 2)
    a, b = (3.0, 0.0, *padding), (2.0, 2.0, *padding)
    got = cosine(a, b)
    expected = 1 / math.sqrt(2)  # 45 degrees apart, whatever the lengths
    assert math.isclose(got, expected, rel_tol=1e-9), (
        f"cosine((3, 0, 0, …), (2, 2, 0, …)) returned {got}; expected {expected:.6f}, the cos "
        "of the 45° between them. The dot product alone is the cosine only for unit vectors: "
        "divide it by both norms, so cosine holds for any vector (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
def test_tokenize_keeps_non_ascii_letters_and_splits_on_underscores() -> None:
    tokens = tokenize("Snow_storm in Zürich, ÉTÉ 2030")
    expected = ["snow", "storm", "in", "zürich", "été", "2030"]
    assert tokens == expected, (
        f"tokenize('Snow_storm in Zürich, ÉTÉ 2030') returned {tokens!r}; expected "
        f"{expected!r}: a letter is any Unicode letter (ü, é), not only a to z, and '_' is "
        r"not a letter or a digit, although r'\w' matches it (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Дождь в Москве", ["дождь", "в", "москве"]),
        ("Βροχή στην Αθήνα", ["βροχή", "στην", "αθήνα"]),
        ("東京 2030", ["東京", "2030"]),
        ("Straße Œuvre", ["strasse", "œuvre"]),
        ("6÷3×2", ["6", "3", "2"]),
    ],
    ids=["cyrillic", "greek", "cjk", "sharp-s", "division-sign"],
)
def test_tokenize_takes_letters_of_every_script_and_no_symbol(
    text: str, expected: list[str]
) -> None:
    tokens = tokenize(text)
    assert tokens == expected, (
        f"tokenize({text!r}) returned {tokens!r}; expected {expected!r}: a token is a run of "
        "letters and digits of any script once case-folded ('ß' folds to 'ss'), so Cyrillic, "
        "Greek and CJK words are kept, and '÷' and '×' are symbols, not letters: a Latin-1 "
        "range such as [a-z0-9à-ÿ] drops the former and keeps '÷' (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
def test_embedding_is_stable_across_processes() -> None:
    code = (
        "import json, sys; from markets_service.embedding import embed; "
        "json.dump(embed(sys.argv[1]), sys.stdout)"
    )
    vectors = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(LAB)}
        child = subprocess.run(
            [sys.executable, "-c", code, SENTENCE],
            env=env, capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        if child.returncode != 0:
            pytest.fail(f"embed() failed in a fresh process (task 3):\n{child.stderr[-800:]}")
        vectors.append(tuple(json.loads(child.stdout)))
    here = embed(SENTENCE)
    assert vectors[0] == vectors[1] == here, (
        "embed() gave different vectors in processes started with PYTHONHASHSEED=1 and =2 "
        "(or differed from this process); Python's built-in hash() of a str is salted per "
        "process. Hash tokens with a stable function such as hashlib.blake2b (task 3)"
    )
