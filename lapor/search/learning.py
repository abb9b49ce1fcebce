"""The machine learning of the routing classifier (:mod:`lapor.search.routing`): build, measure,
fit, serialise and load the pipeline with scikit-learn and joblib.

scikit-learn, SciPy and joblib take most of a second to import (~770 ms): this module imports
them at its top and :mod:`lapor.search.routing` imports this module only where a model is
trained or loaded, never when the web server or the worker starts. No Django here: plain lists
in, a fitted pipeline or bytes out.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import joblib
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from threadpoolctl import threadpool_limits  # comes with scikit-learn

Analyzer = Callable[[str], list[str]]


@dataclass(frozen=True)
class Measured:
    examples: int
    classes: int
    held_out: int
    accuracy: float
    top3_accuracy: float


def _top_k_hits(model: Pipeline, texts: list[str], labels: list[str], k: int) -> int:
    classes = list(model.classes_)
    hits = 0
    for probabilities, label in zip(model.predict_proba(texts), labels, strict=True):
        best = sorted(range(len(classes)), key=lambda i: -probabilities[i])[:k]
        hits += label in {classes[i] for i in best}
    return hits


@dataclass(frozen=True)
class Learner:
    """TF-IDF over ``analyzer``'s tokens, then multinomial logistic regression (probabilities =
    confidence). ``analyzer`` must be a module-level function: the fitted pipeline is pickled
    with a reference to it."""

    analyzer: Analyzer
    held_out: float
    top: int

    def pipeline(self) -> Pipeline:
        return make_pipeline(
            TfidfVectorizer(analyzer=self.analyzer, sublinear_tf=True, min_df=1),
            LogisticRegression(max_iter=1000, C=10.0),
        )

    def measure(self, texts: list[str], labels: list[str]) -> Measured:
        """Accuracy (top-1 and top-``top``) on a held-out share, stratified when every unit
        has two examples."""
        counts = {label: labels.count(label) for label in set(labels)}
        stratify = labels if min(counts.values()) >= 2 else None
        train_x, test_x, train_y, test_y = train_test_split(
            texts, labels, test_size=self.held_out, random_state=0, stratify=stratify)
        model = self.pipeline().fit(train_x, train_y)
        n = len(test_y)
        return Measured(examples=len(texts), classes=len(counts), held_out=n,
                        accuracy=_top_k_hits(model, test_x, test_y, 1) / n,
                        top3_accuracy=_top_k_hits(model, test_x, test_y, self.top) / n)

    def fit(self, texts: list[str], labels: list[str]) -> bytes:
        """The pipeline fitted on every example, as a joblib blob."""
        model = self.pipeline().fit(texts, labels)
        buffer = io.BytesIO()
        joblib.dump(model, buffer)
        return buffer.getvalue()

    @staticmethod
    def load(blob: bytes) -> Pipeline:
        """A fitted pipeline back from its joblib blob."""
        model: Pipeline = joblib.load(io.BytesIO(blob))
        return model

    @staticmethod
    @contextmanager
    def one_thread() -> Iterator[None]:
        """One BLAS/OpenMP thread inside the block."""
        with threadpool_limits(limits=1):
            yield
