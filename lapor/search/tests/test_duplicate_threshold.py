"""The duplicate threshold on the calibration pairs (docs/search.md, "Calibration").

Issue 18: the report form interrupted citizens with "31 % mirip" reports that only shared a
topic. The pairs are two reports of one category in one kecamatan; the score must put the
ones about the same problem above ``MIN_SCORE`` and the ones about another place or problem
below it.
"""

from __future__ import annotations

from lapor.search import duplicates
from lapor.search.tests.duplicate_pairs import SAME, TOPIC_ONLY, Pair, demo_pairs, labelled

# What region_words() gives for Sangatta Utara (64.08.04), the pairs' kecamatan.
REGION_WORDS = frozenset({"sangatta", "utara", "kabupaten", "kutai", "timur", "kalimantan"})


def _score(pair: Pair) -> float:
    first, second = pair
    return duplicates.score(duplicates.features(*first, ignore=REGION_WORDS),
                            duplicates.features(*second, ignore=REGION_WORDS))


def test_the_pair_set_is_big_enough_to_mean_something() -> None:
    assert len(SAME) >= 20
    assert len(TOPIC_ONLY) + len(demo_pairs()) >= 40


def test_threshold_separates_same_problem_from_same_topic() -> None:
    scored = [(_score(pair), same) for pair, same in labelled()]
    shown = [same for value, same in scored if value >= duplicates.MIN_SCORE]
    true_positives = sum(shown)
    precision = true_positives / len(shown)
    recall = true_positives / len(SAME)
    assert precision >= 0.95, scored
    assert recall >= 0.9, scored


def test_another_street_of_a_demo_template_is_not_similar() -> None:
    """The demo fills one template for many streets of a kecamatan: same words, other place."""
    for pair in demo_pairs():
        assert _score(pair) < duplicates.MIN_SCORE, pair[0][0]


def test_places_are_read_from_the_text() -> None:
    text = ("Lubang di Jalan Yos Sudarso depan SD Negeri 003 Sangatta Utara, RT 05 "
            "Desa Swarga Bara")
    assert duplicates.places(text, ignore=REGION_WORDS) == {
        "yos", "sudarso", "003", "05", "swarga", "bara"}
