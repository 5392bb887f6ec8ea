"""Intent classifier: TF-IDF word and character n-grams with a linear model, cached on disk."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

# scikit-learn ships no type information; the project has no stubs for it.
import sklearn  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.pipeline import FeatureUnion, Pipeline  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

TRAIN_TSV = Path(__file__).resolve().parent / "data" / "intents_train.tsv"
# Bump when features, masking or the model change so stale caches are never loaded.
CODE_VERSION = "nlu-intents-3"


@dataclass(frozen=True, slots=True)
class Prediction:
    """The most likely intent, its probability and the runner-up."""

    intent: str
    confidence: float
    runner_up: str
    runner_up_confidence: float


class IntentModel:
    """A trained classifier reduced to its vocabularies and weights.

    Inference re-implements the fitted pipeline (sublinear TF-IDF, L2 norm per feature block,
    multinomial logistic regression) with dictionary look-ups and one small matrix product:
    scikit-learn's per-call validation alone costs more than the 2 ms budget.
    """

    def __init__(
        self,
        labels: Sequence[str],
        vectorizers: Sequence[TfidfVectorizer],
        weights: np.ndarray,
        bias: np.ndarray,
    ) -> None:
        """Keep the fitted vectorizers, ``weights`` (features x classes) and ``bias``."""
        self._labels = tuple(labels)
        self._vectorizers = tuple(vectorizers)
        self._weights = weights
        self._bias = bias
        self._compile()

    def _compile(self) -> None:
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray, int]] = []
        offset = 0
        for vectorizer in self._vectorizers:
            vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
            self._blocks.append(
                (vectorizer.build_analyzer(), vocabulary, np.asarray(vectorizer.idf_), offset)
            )
            offset += len(vocabulary)

    def __getstate__(self) -> dict[str, object]:
        return {
            "labels": self._labels,
            "vectorizers": self._vectorizers,
            "weights": self._weights,
            "bias": self._bias,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._labels = tuple(state["labels"])
        self._vectorizers = tuple(state["vectorizers"])
        self._weights = np.asarray(state["weights"])
        self._bias = np.asarray(state["bias"])
        self._compile()

    @classmethod
    def from_pipeline(cls, pipeline: Pipeline) -> IntentModel:
        """Extract vectorizers and weights from a fitted :func:`build_pipeline` pipeline."""
        union: FeatureUnion = pipeline.named_steps["features"]
        model: LogisticRegression = pipeline.named_steps["model"]
        vectorizers = [step for _, step in union.transformer_list]
        for vectorizer in vectorizers:
            # Terms dropped by min_df are kept only for introspection; they bloat the cache.
            vars(vectorizer).pop("stop_words_", None)
        return cls(
            [str(c) for c in model.classes_],
            vectorizers,
            np.ascontiguousarray(model.coef_.T),
            np.asarray(model.intercept_),
        )

    @property
    def labels(self) -> tuple[str, ...]:
        """The intents the model can predict."""
        return self._labels

    def probabilities(self, text: str) -> np.ndarray:
        """Class probabilities for one text.

        Args:
            text: the classifier view of a message (normalised and masked).

        Returns:
            Probabilities in :attr:`labels` order.
        """
        scores = self._bias.copy()
        for analyze, vocabulary, idf, offset in self._blocks:
            counts = Counter(t for t in analyze(text) if t in vocabulary)
            if not counts:
                continue
            columns = np.fromiter((vocabulary[t] for t in counts), dtype=np.intp, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=float, count=len(counts)))
            values = tf * idf[columns]
            values /= np.sqrt(values @ values)
            scores += values @ self._weights[columns + offset]
        scores -= scores.max()
        exp = np.exp(scores)
        return np.asarray(exp / exp.sum())

    def predict(self, text: str) -> Prediction:
        """Classify one prepared (normalised and masked) text.

        Args:
            text: the classifier view of a message.

        Returns:
            Best and second-best intents with probabilities.
        """
        probabilities = self.probabilities(text)
        order = np.argsort(-probabilities, kind="stable")
        best, second = int(order[0]), int(order[1])
        return Prediction(
            self._labels[best],
            float(probabilities[best]),
            self._labels[second],
            float(probabilities[second]),
        )


def read_corpus(path: Path = TRAIN_TSV) -> list[tuple[str, str]]:
    """``(intent, text)`` rows of the training TSV, skipping blanks and ``#`` comments.

    Raises:
        ValueError: a line is not ``intent<TAB>text``.
    """
    rows: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        intent, sep, text = line.partition("\t")
        if not sep or not intent or not text.strip():
            raise ValueError(f"{path.name}:{number}: expected 'intent<TAB>text'")
        rows.append((intent.strip(), text.strip()))
    return rows


def build_pipeline() -> Pipeline:
    """The untrained pipeline: word 1-2-grams and char_wb 2-5-grams into logistic regression."""
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(
                    analyzer="word",
                    ngram_range=(1, 2),
                    sublinear_tf=True,
                    token_pattern=r"[^ ]+",
                    min_df=1,
                ),
            ),
            # Character n-grams carry typos and unseen inflections ("apartamelas", "ponchó").
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    model = LogisticRegression(C=20.0, max_iter=5000)
    return Pipeline([("features", features), ("model", model)])


def train(texts: Sequence[str], labels: Sequence[str]) -> IntentModel:
    """Fit the pipeline; deterministic for the same inputs.

    Args:
        texts: prepared texts (see :func:`prepare`).
        labels: the intent of each text.

    Returns:
        The fitted model.
    """
    pipeline = build_pipeline()
    pipeline.fit(list(texts), list(labels))
    return IntentModel.from_pipeline(pipeline)


def cache_key(corpus: bytes) -> str:
    """The cache key of a model.

    Args:
        corpus: everything the model is trained from (corpus bytes, vocabulary fingerprint).

    Returns:
        SHA-256 hex digest over ``corpus``, the code version and the scikit-learn version.
    """
    digest = hashlib.sha256(corpus)
    digest.update(f"|{CODE_VERSION}|sklearn-{sklearn.__version__}".encode())
    return digest.hexdigest()


def cache_path(cache_dir: Path, key: str) -> Path:
    """Where the model for a key is pickled.

    Args:
        cache_dir: the cache directory.
        key: a :func:`cache_key` result.

    Returns:
        The pickle path (it may not exist yet).
    """
    return cache_dir / f"intent-model-{key[:24]}.pkl"


def load_or_train(
    corpus: bytes,
    cache_dir: Path | None,
    trainer: Callable[[], IntentModel],
) -> IntentModel:
    """The cached model for ``corpus`` or a freshly trained (and then cached) one.

    Args:
        corpus: the exact training file bytes; they key the cache.
        cache_dir: where pickles live; None trains without touching the disk.
        trainer: builds the model when no usable cache exists.

    Returns:
        The model.
    """
    if cache_dir is None:
        return trainer()
    path = cache_path(cache_dir, cache_key(corpus))
    if path.exists():
        try:
            with path.open("rb") as handle:
                # Only files this module wrote, named by a hash of their inputs, are loaded.
                model = pickle.load(handle)
            if isinstance(model, IntentModel):
                return model
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
            log.warning("ignoring unreadable NLU cache %s: %s", path, exc)
    model = trainer()
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Write then rename so a concurrent reader never sees half a pickle.
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("could not cache the NLU model in %s: %s", cache_dir, exc)
        Path(tmp).unlink(missing_ok=True)
    return model
