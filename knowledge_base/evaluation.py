"""Retrieval quality on a question set written apart from the documents: recall@k, MRR, latency."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from knowledge_base.base import KnowledgeBase, Mode

MRR_DEPTH = 10
TARGETS = {"recall_at_5": 0.95, "mrr": 0.85, "p95_ms": 50.0}


class Question(BaseModel):
    """A customer's question and the chunk ids that answer it (any one counts)."""

    q: str = Field(min_length=2)
    expected: list[str] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Miss:
    """A question whose first expected chunk was not in the top 5."""

    q: str
    expected: list[str]
    got: list[str]


@dataclass(frozen=True, slots=True)
class EvalResult:
    """The figures of one ranking mode over the question set."""

    mode: str
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr: float
    p50_ms: float
    p95_ms: float
    misses: list[Miss]

    def meets_targets(self) -> bool:
        return (
            self.recall_at_5 >= TARGETS["recall_at_5"]
            and self.mrr >= TARGETS["mrr"]
            and self.p95_ms < TARGETS["p95_ms"]
        )


def default_questions() -> Path:
    """The question set shipped with the package."""
    return Path(str(resources.files("knowledge_base") / "eval" / "queries.jsonl"))


def load_questions(path: Path | None = None) -> list[Question]:
    """Questions from a JSON-lines file ({"q": ..., "expected": [...]} per line)."""
    source = path or default_questions()
    questions = []
    for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                questions.append(Question.model_validate_json(line))
            except ValueError as exc:
                raise ValueError(f"{source}, line {number}: {exc}") from exc
    return questions


def evaluate(kb: KnowledgeBase, questions: list[Question], *, mode: Mode = "fusion") -> EvalResult:
    """Run every question once (after a warm-up) and score the ranking."""
    kb.search("presión de las llantas", k=1, mode=mode)  # loads the model and the index
    hits1 = hits5 = 0
    reciprocal = 0.0
    latencies = []
    misses = []
    for question in questions:
        started = time.perf_counter()
        ranked = [chunk_id for chunk_id, _ in kb.rank(question.q, mode=mode, k=MRR_DEPTH)]
        latencies.append((time.perf_counter() - started) * 1000)
        positions = [ranked.index(e) for e in question.expected if e in ranked]
        best = min(positions) if positions else None
        hits1 += best == 0
        hits5 += best is not None and best < 5
        reciprocal += 1.0 / (best + 1) if best is not None else 0.0
        if best is None or best >= 5:
            misses.append(Miss(question.q, question.expected, ranked[:5]))
    n = max(1, len(questions))
    return EvalResult(
        mode=mode,
        questions=len(questions),
        recall_at_1=hits1 / n,
        recall_at_5=hits5 / n,
        mrr=reciprocal / n,
        p50_ms=float(np.percentile(latencies, 50)) if latencies else 0.0,
        p95_ms=float(np.percentile(latencies, 95)) if latencies else 0.0,
        misses=misses,
    )


def unknown_ids(kb: KnowledgeBase, questions: list[Question]) -> list[str]:
    """Expected ids the index does not hold (a renamed heading breaks its questions)."""
    kb.ensure_ready()
    known = set(kb.chunk_ids())
    return sorted({e for q in questions for e in q.expected if e not in known})


def as_json(result: EvalResult) -> str:
    """The figures (not the misses) as JSON."""
    return json.dumps(
        {
            k: getattr(result, k)
            for k in ("mode", "questions", "recall_at_1", "recall_at_5", "mrr", "p50_ms", "p95_ms")
        }
    )
