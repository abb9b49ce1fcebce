"""The machine learning of the routing classifier (:mod:`lapor.search.routing`): build, measure,
fit, serialise and load the pipeline with scikit-learn and joblib.

:meth:`Learner.train` is what the nightly retraining runs: every text is analysed (stemmed) and
counted once, the held-out measurement and the final fit share that count matrix, and the
logistic regression starts from the coefficients it had (the agency's previous model for the
measurement, the measured model for the final fit) instead of from zero. The objective is the
same (L2-regularised, so its optimum is unique); cold, the measurement is exactly the
reference's. Measured at 1 M: 7 % less CPU than the reference for a full retraining (the
L-BFGS fits dominate and a warm start saves few of their iterations): the nightly saving comes
from not retraining unchanged agencies (lapor.search.routing).
:meth:`Learner.measure` and :meth:`Learner.fit` are the plain reference (one cold fit each);
``bench/routing_train.py`` and the tests compare the two on the same data.

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
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from threadpoolctl import threadpool_limits  # comes with scikit-learn

Analyzer = Callable[[str], list[str]]
C = 10.0
MAX_ITER = 1000


@dataclass(frozen=True)
class Measured:
    examples: int
    classes: int
    held_out: int
    accuracy: float
    top3_accuracy: float


def _hits(probabilities: np.ndarray, classes: list[str], labels: list[str], k: int) -> int:
    """How many ``labels`` are among the ``k`` most probable classes of their row."""
    hits = 0
    for row, label in zip(probabilities, labels, strict=True):
        best = sorted(range(len(classes)), key=lambda i: -row[i])[:k]
        hits += label in {classes[i] for i in best}
    return hits


def _top_k_hits(model: Pipeline, texts: list[str], labels: list[str], k: int) -> int:
    return _hits(model.predict_proba(texts), list(model.classes_), labels, k)


def _tokens(tokens: list[str]) -> list[str]:
    """The analyzer of the shared count matrix: the texts are analysed already."""
    return tokens


@dataclass(frozen=True)
class Trained:
    measured: Measured
    blob: bytes
    # L-BFGS iterations of the measurement and of the final fit together.
    iterations: int


@dataclass(frozen=True)
class _Start:
    """Coefficients to start a fit from: the classes, the term → column map and the weights."""

    classes: list[str]
    columns: dict[str, int]
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def of(cls, model: Pipeline) -> _Start:
        vectorizer, regression = model.steps[0][1], model.steps[-1][1]
        return cls(classes=list(regression.classes_), columns=dict(vectorizer.vocabulary_),
                   coef=regression.coef_, intercept=regression.intercept_)

    def regression(self, classes: list[str], terms: list[str]) -> LogisticRegression:
        """A regression for ``classes`` over ``terms`` that starts from these weights (terms it
        did not know start at zero); a cold one when the classes differ."""
        model = LogisticRegression(max_iter=MAX_ITER, C=C, warm_start=True)
        if classes != self.classes:
            return model
        coef = np.zeros((self.coef.shape[0], len(terms)))
        pairs = [(new, self.columns[term]) for new, term in enumerate(terms)
                 if term in self.columns]
        if pairs:
            new, old = (np.fromiter(side, dtype=np.intp) for side in zip(*pairs, strict=True))
            coef[:, new] = self.coef[:, old]
        model.coef_ = coef
        model.intercept_ = self.intercept.copy()
        return model


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
            LogisticRegression(max_iter=MAX_ITER, C=C),
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

    def train(self, texts: list[str], labels: list[str], *,
              previous: Pipeline | None = None) -> Trained:
        """What :meth:`measure` then :meth:`fit` compute, for somewhat less: each text is
        analysed once; the held-out model starts from ``previous`` (the agency's current
        model, when it has the same units) and the final model from the held-out one."""
        counter = CountVectorizer(analyzer=_tokens)
        counts = counter.fit_transform([self.analyzer(t) for t in texts]).tocsr()
        terms = list(counter.get_feature_names_out())
        y = np.asarray(labels)
        counted = {label: labels.count(label) for label in set(labels)}
        train_rows, test_rows = train_test_split(
            np.arange(len(texts)), test_size=self.held_out, random_state=0,
            stratify=labels if min(counted.values()) >= 2 else None)
        # The columns of the terms the training share holds: the vocabulary a vectorizer fitted
        # on that share alone would have, in the same (sorted) order.
        seen = np.flatnonzero(counts[train_rows].getnnz(axis=0))
        share = TfidfTransformer(sublinear_tf=True)
        x_train = share.fit_transform(counts[train_rows][:, seen])
        x_test = share.transform(counts[test_rows][:, seen])
        train_y = y[train_rows]
        share_terms = [terms[i] for i in seen]
        start = (_Start.of(previous) if previous is not None
                 else _Start([], {}, np.zeros((0, 0)), np.zeros(0)))
        measured_model = start.regression(sorted(set(train_y.tolist())), share_terms)
        measured_model.fit(x_train, train_y)
        probabilities = measured_model.predict_proba(x_test)
        test_labels = [labels[i] for i in test_rows]
        classes = list(measured_model.classes_)
        n = len(test_labels)
        measured = Measured(
            examples=len(texts), classes=len(counted), held_out=n,
            accuracy=_hits(probabilities, classes, test_labels, 1) / n,
            top3_accuracy=_hits(probabilities, classes, test_labels, self.top) / n)
        everything = TfidfTransformer(sublinear_tf=True)
        x_all = everything.fit_transform(counts)
        final = _Start(classes=classes, columns={t: i for i, t in enumerate(share_terms)},
                       coef=measured_model.coef_, intercept=measured_model.intercept_,
                       ).regression(sorted(counted), terms)
        final.fit(x_all, y)
        vectorizer = TfidfVectorizer(analyzer=self.analyzer, sublinear_tf=True, min_df=1)
        vectorizer.vocabulary_ = dict(counter.vocabulary_)
        vectorizer.idf_ = everything.idf_
        # Served like a plain pipeline: the next load runs without the warm start attribute.
        final.warm_start = False
        measured_model.warm_start = False
        buffer = io.BytesIO()
        joblib.dump(make_pipeline(vectorizer, final), buffer)
        return Trained(measured=measured, blob=buffer.getvalue(),
                       iterations=int(measured_model.n_iter_[0]) + int(final.n_iter_[0]))

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
