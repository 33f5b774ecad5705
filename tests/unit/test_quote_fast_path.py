"""The serializer's percent-encoding skips `urllib.parse.quote` for values it would leave
unchanged; the result is `quote`'s, for every character and for random mixes."""

from __future__ import annotations

import random
from urllib.parse import quote

import pytest

from aios3._serialize import _quote_q, quote_key

pytestmark = pytest.mark.unit

ALPHABET = [chr(c) for c in range(0x80)] + ["é", "日", "\u2028", "٣", "ｱ", "\U0001f600"]


def test_every_character_alone_and_in_a_run() -> None:
    for ch in ALPHABET:
        for text in (ch, ch * 3, f"a{ch}b", f"dir/{ch}/x"):
            assert quote_key(text) == quote(text, safe="/~"), repr(text)
            assert _quote_q(text) == quote(text, safe="-_.~"), repr(text)


def test_random_values() -> None:
    rng = random.Random(20261202)
    safe = [c for c in ALPHABET if c.isascii() and (c.isalnum() or c in "-_.~/")]
    for _ in range(5000):
        pool = safe if rng.random() < 0.5 else ALPHABET  # half of them take the fast path
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        assert quote_key(text) == quote(text, safe="/~"), repr(text)
        assert _quote_q(text) == quote(text, safe="-_.~"), repr(text)
