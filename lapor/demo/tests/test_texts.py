"""``lapor seed --texts realistic`` (issue 21): texts drawn from the demo's vocabulary with
Zipf-like word frequencies, deterministic, each naming its place; unknown kinds refused."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from lapor.demo.seed import TOPICS, SeedOptions, SeedRefused, seed
from lapor.demo.texts import EXTRA, Vocabulary, realistic_text

VOCABULARY = Vocabulary({topic: [*t["titles"], *t["bodies"]] for topic, t in TOPICS.items()})


def _texts(seed_value: int, n: int) -> list[tuple[str, str]]:
    rng = random.Random(seed_value)  # noqa: S311  (fixture data)
    return [realistic_text(VOCABULARY, rng, topic, "Jalan Ahmad Yani", "Bengalon")
            for topic in list(TOPICS) * (n // len(TOPICS))]


def test_same_random_stream_same_texts() -> None:
    assert _texts(3, 20) == _texts(3, 20)
    assert _texts(3, 20) != _texts(4, 20)


def test_word_frequencies_fall_off_like_zipf() -> None:
    counts = Counter(w.strip(".").lower() for _, body in _texts(1, 2_000) for w in body.split())
    ranked = [n for _, n in counts.most_common()]
    # A few very common words, a long tail: the 10th word is far rarer than the 1st, the
    # 100th rarer still, and most words are rare.
    assert ranked[0] > 4 * ranked[9] > 4 * ranked[99]
    assert sum(1 for n in ranked if n < ranked[0] / 100) > len(ranked) / 2
    assert len(counts) > 800  # the demo's words and the extra complaint vocabulary
    assert any(w in counts for w in EXTRA)


def test_each_text_names_its_place_and_stays_in_the_columns() -> None:
    for title, body in _texts(2, 100):
        assert title.endswith("di Jalan Ahmad Yani")
        assert len(title) <= 200
        assert "kecamatan bengalon" in body.lower()


def test_unknown_text_kind_is_refused() -> None:
    with pytest.raises(SeedRefused, match="--texts"):
        seed(SeedOptions(reports=10, texts="lorem", migrate=False, log=lambda _: None))
