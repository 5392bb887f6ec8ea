"""Scoring the NLU on the held-out set: intent accuracy and entity micro-F1."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from adapters.llm.offline.nlu.engine import NLU
from adapters.llm.offline.nlu.types import Analysis, Entities

TEST_JSONL = Path(__file__).resolve().parent / "data" / "nlu_test.jsonl"
ACCURACY_TARGET = 0.95
F1_TARGET = 0.90
Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message."""

    text: str
    intent: str
    entities: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Miss:
    """One wrong intent or one wrong entity set."""

    text: str
    expected: str
    got: str


@dataclass(frozen=True, slots=True)
class Report:
    """Scores over the whole set plus every miss, for printing."""

    examples: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    intent_misses: tuple[Miss, ...]
    entity_misses: tuple[Miss, ...]
    latencies_ms: tuple[float, ...]


def load_test_set(path: Path = TEST_JSONL) -> tuple[datetime, list[Example]]:
    """The reference ``now`` from the header line and the labelled examples.

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
        examples.append(Example(row["text"], row["intent"], row.get("entities", {})))
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
    hits = tp = fp = fn = 0
    intent_misses: list[Miss] = []
    entity_misses: list[Miss] = []
    latencies: list[float] = []
    for example in examples:
        start = time.perf_counter()
        result: Analysis = nlu.analyze(example.text, now=now)
        latencies.append((time.perf_counter() - start) * 1000)
        if result.intent == example.intent:
            hits += 1
        else:
            intent_misses.append(
                Miss(example.text, example.intent, f"{result.intent} ({result.confidence:.2f})")
            )
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
        precision,
        recall,
        f1,
        tuple(intent_misses),
        tuple(entity_misses),
        tuple(latencies),
    )
