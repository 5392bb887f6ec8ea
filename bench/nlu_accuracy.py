"""Offline NLU accuracy bench: intent accuracy, entity F1 and analyze latency on the test set."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.llm.offline.nlu import NLU, Vocabulary  # noqa: E402
from adapters.llm.offline.nlu.evaluation import (  # noqa: E402
    ACCURACY_TARGET,
    F1_TARGET,
    evaluate,
    load_test_set,
)


def main() -> int:
    """Print the scores beside the targets; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="reuse a trained model from this directory"
    )
    parser.add_argument("--entities", action="store_true", help="list every entity miss")
    args = parser.parse_args()

    start = time.perf_counter()
    nlu = NLU(Vocabulary.from_demo_files(), cache_dir=args.cache_dir)
    build_s = time.perf_counter() - start
    now, examples = load_test_set()
    report = evaluate(nlu, examples, now)

    print(f"test set: {report.examples} messages; NLU built in {build_s:.2f} s")
    acc_ok = "OK " if report.accuracy >= ACCURACY_TARGET else "LOW"
    f1_ok = "OK " if report.f1 >= F1_TARGET else "LOW"
    print(f"intent accuracy  {report.accuracy:.3f}   target >= {ACCURACY_TARGET:.2f}  {acc_ok}")
    print(
        f"entity micro-F1  {report.f1:.3f}   target >= {F1_TARGET:.2f}  {f1_ok}"
        f"   (P {report.precision:.3f}, R {report.recall:.3f})"
    )
    latencies = sorted(report.latencies_ms)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(f"analyze latency  mean {statistics.fmean(latencies):.2f} ms   p95 {p95:.2f} ms")

    by_intent = Counter(miss.expected for miss in report.intent_misses)
    if report.intent_misses:
        print("\nintent errors per expected intent:")
        for intent, count in by_intent.most_common():
            print(f"  {intent:<20} {count}")
        print("\nintent errors:")
        for miss in report.intent_misses:
            print(f"  [{miss.expected} -> {miss.got}] {miss.text}")
    if report.entity_misses:
        print(f"\nentity mismatches: {len(report.entity_misses)} messages")
        for miss in report.entity_misses if args.entities else report.entity_misses[:15]:
            print(f"  {miss.text!r}: {miss.expected}; {miss.got}")
    return 0 if report.accuracy >= ACCURACY_TARGET and report.f1 >= F1_TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
