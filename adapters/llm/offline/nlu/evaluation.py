"""Scoring the NLU: held-out intent accuracy and entity micro-F1, and corpus cross-validation."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

# scikit-learn ships no type information; the project has no stubs for it.
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from adapters.llm.offline.nlu.classifier import SEED, read_corpus, train
from adapters.llm.offline.nlu.engine import NLU
from adapters.llm.offline.nlu.rules import rule_intent
from adapters.llm.offline.nlu.types import Analysis, Entities

DATA = Path(__file__).resolve().parent / "data"
TEST_JSONL = DATA / "nlu_test.jsonl"
# Written by another engineer who never saw the corpus; intent labels only.
INDEPENDENT_JSONL = DATA / "nlu_test_independent.jsonl"
ACCURACY_TARGET = 0.95
INDEPENDENT_TARGET = 0.93  # measured 0.943 (2026-11-29), rounded down with a margin
CV_TARGET = 0.92
CV_FOLDS = 5
F1_TARGET = 0.90
# The dialogue manager treats a reading below this confidence as unsure.
UNSURE_BELOW = 0.35
# Labels a test file may still use for an intent that was merged into another.
MERGED_INTENTS = {"product_search": "tire_quote"}
Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message; ``entities`` is None in intent-only sets."""

    text: str
    intent: str
    entities: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class Miss:
    """One wrong intent or one wrong entity set."""

    text: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class Report:
    """Scores over the whole set plus every miss, for printing.

    Entity scores cover only the ``entity_examples`` that carry entity labels.
    ``unsure_hits`` / ``unsure_misses`` count right and wrong readings whose confidence is
    below :data:`UNSURE_BELOW`.
    """

    examples: int
    accuracy: float
    entity_examples: int
    precision: float
    recall: float
    f1: float
    intent_misses: tuple[Miss, ...]
    entity_misses: tuple[Miss, ...]
    latencies_ms: tuple[float, ...]
    unsure_hits: int = 0
    unsure_misses: int = 0
    # CPU time of the calling thread per message: the cost of one analysis, whatever else the
    # machine runs (wall time above also counts waiting for a core).
    cpu_ms: tuple[float, ...] = ()


@dataclass(frozen=True, slots=True)
class CrossValidation:
    """Stratified k-fold cross-validation of the intent classifier on the training corpus.

    ``accuracy`` scores the classifier alone; ``with_rules_accuracy`` lets the fixed rules
    (yes/no words, emoji, prompt injection) answer first, as :meth:`NLU.analyze` does.
    """

    folds: int
    examples: int
    accuracy: float
    with_rules_accuracy: float
    confusions: tuple[tuple[str, str, int], ...]  # (expected, predicted, count), most first
    misses: tuple[Miss, ...]


def load_test_set(path: Path = TEST_JSONL) -> tuple[datetime, list[Example]]:
    """The reference ``now`` from the header line and the labelled examples.

    A line without ``entities`` is scored on its intent only; a merged intent's old label
    counts as the intent it was merged into (:data:`MERGED_INTENTS`).

    Raises:
        ValueError: the header has no ``now`` or a line lacks ``text``/``intent``.
    """
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    header = json.loads(lines[0])
    if "now" not in header:
        raise ValueError(f"{path.name}: the first line must hold the reference 'now'")
    now = datetime.fromisoformat(header["now"]).replace(
        tzinfo=ZoneInfo(header.get("timezone", "America/Mexico_City"))
    )
    examples = []
    for number, line in enumerate(lines[1:], start=2):
        row = json.loads(line)
        if "text" not in row or "intent" not in row:
            raise ValueError(f"{path.name}:{number}: needs 'text' and 'intent'")
        intent = MERGED_INTENTS.get(row["intent"], row["intent"])
        examples.append(Example(row["text"], intent, row.get("entities")))
    return now, examples


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d" if (value.hour, value.minute) == (0, 0) else "%Y-%m-%dT%H:%M")


def expected_pairs(entities: Mapping[str, Any]) -> set[Pair]:
    """The entity pairs a labelled example expects.

    Args:
        entities: the ``entities`` object of a test line.

    Returns:
        ``(type, value)`` pairs; the vehicle splits into make, model and year pairs.
    """
    pairs: set[Pair] = set()
    for key, value in entities.items():
        if value is None or value == [] or value == {}:
            continue
        if key == "vehicle":
            pairs |= {(f"vehicle.{k}", str(v)) for k, v in value.items() if v is not None}
        elif key == "lines":
            pairs |= {("lines", f"{brand}|{line}") for brand, line in value}
        elif isinstance(value, list):
            pairs |= {(key, str(v)) for v in value}
        else:
            pairs.add((key, str(value)))
    return pairs


def predicted_pairs(entities: Entities) -> set[Pair]:
    """The entity pairs the NLU found, comparable with :func:`expected_pairs`.

    Args:
        entities: what ``NLU.analyze`` returned.

    Returns:
        ``(type, value)`` pairs; ``when`` is written as a date when its time is 00:00.
    """
    pairs: set[Pair] = {("sizes", s) for s in entities.sizes}
    pairs |= {("brands", b) for b in entities.brands}
    pairs |= {("lines", f"{b}|{ln}") for b, ln in entities.lines}
    pairs |= {("folios", f) for f in entities.folios}
    pairs |= {("branches", b) for b in entities.branches}
    if entities.vehicle is not None:
        for key in ("make", "model", "year"):
            value = getattr(entities.vehicle, key)
            if value is not None:
                pairs.add((f"vehicle.{key}", str(value)))
    if entities.when is not None:
        pairs.add(("when", _when(entities.when)))
    for key in ("quantity", "max_price_pesos", "choice", "fulfillment"):
        value = getattr(entities, key)
        if value is not None:
            pairs.add((key, str(value)))
    return pairs


def evaluate(nlu: NLU, examples: Sequence[Example], now: datetime) -> Report:
    """Run every example once (after one warm-up call) and score it.

    Args:
        nlu: the NLU under test.
        examples: labelled messages.
        now: the reference time the labels assume.

    Returns:
        Accuracy, entity micro precision/recall/F1, misses and per-call latencies.
    """
    nlu.analyze("hola", now=now)
    hits = tp = fp = fn = entity_examples = unsure_hits = unsure_misses = 0
    intent_misses: list[Miss] = []
    entity_misses: list[Miss] = []
    latencies: list[float] = []
    cpu: list[float] = []
    for example in examples:
        start, start_cpu = time.perf_counter(), time.thread_time()
        result: Analysis = nlu.analyze(example.text, now=now)
        cpu.append((time.thread_time() - start_cpu) * 1000)
        latencies.append((time.perf_counter() - start) * 1000)
        unsure = result.confidence < UNSURE_BELOW
        if result.intent == example.intent:
            hits += 1
            unsure_hits += unsure
        else:
            unsure_misses += unsure
            intent_misses.append(
                Miss(example.text, example.intent, f"{result.intent} ({result.confidence:.2f})")
            )
        if example.entities is None:
            continue
        entity_examples += 1
        gold, got = expected_pairs(example.entities), predicted_pairs(result.entities)
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
        if gold != got:
            entity_misses.append(
                Miss(example.text, f"missing {sorted(gold - got)}", f"extra {sorted(got - gold)}")
            )
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Report(
        len(examples),
        hits / len(examples) if examples else 0.0,
        entity_examples,
        precision,
        recall,
        f1,
        tuple(intent_misses),
        tuple(entity_misses),
        tuple(latencies),
        unsure_hits,
        unsure_misses,
        tuple(cpu),
    )


def cross_validate(
    nlu: NLU, rows: Sequence[tuple[str, str]] | None = None, *, folds: int = CV_FOLDS
) -> CrossValidation:
    """Stratified k-fold cross-validation of the classifier alone (no rules), seeded.

    Every fold trains a fresh model on the other folds' messages, read exactly as
    :class:`NLU` reads its corpus, and predicts the held-out fold.

    Args:
        nlu: supplies the text views (normalisation and entity masking).
        rows: ``(intent, text)`` pairs; the training corpus when None.
        folds: the number of folds.

    Returns:
        Accuracy over all held-out predictions, the commonest confusions and every miss.
    """
    texts: list[str] = []
    sentences: list[str] = []
    labels: list[str] = []
    originals: list[str] = []
    ruled: list[str | None] = []
    for intent, text in read_corpus() if rows is None else rows:
        view, sentence = nlu.classifier_views(text)
        if view:
            texts.append(view)
            sentences.append(sentence)
            labels.append(intent)
            originals.append(text)
            rule = rule_intent(sentence, text)
            ruled.append(None if rule is None else rule[0])
    y = np.asarray(labels)
    predicted = np.empty(len(y), dtype=object)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=SEED)
    for train_rows, test_rows in splitter.split(np.zeros(len(y)), y):
        model = train(
            [texts[i] for i in train_rows],
            [sentences[i] for i in train_rows],
            [labels[i] for i in train_rows],
            calibrate=False,
        )
        for i in test_rows:
            predicted[i] = model.predict(texts[i], sentences[i]).intent
    wrong = [i for i in range(len(y)) if predicted[i] != labels[i]]
    wrong_with_rules = sum((ruled[i] or predicted[i]) != labels[i] for i in range(len(y)))
    confusions = Counter((labels[i], str(predicted[i])) for i in wrong)
    return CrossValidation(
        folds,
        len(y),
        1 - len(wrong) / len(y) if len(y) else 0.0,
        1 - wrong_with_rules / len(y) if len(y) else 0.0,
        tuple((a, b, n) for (a, b), n in confusions.most_common()),
        tuple(Miss(originals[i], labels[i], str(predicted[i])) for i in wrong),
    )
