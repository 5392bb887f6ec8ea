"""Robustness bench: pass^1 of every suite on its original customer turns and on perturbed
variants (accents removed, keyboard typos, slang, run-ons, emoji), the gap beside the target.

The target (issue 8) is that perturbed variants stay within 5 points of the originals. Runs in
process on the eval demo data by default, or against a server with ``--target`` (the same
settings as ``topllantas eval run``). Prints one table; exits 1 when a suite misses the target.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.settings import get_settings  # noqa: E402
from evals.harness import RESULTS_DIR, Harness, RunConfig  # noqa: E402
from evals.metrics import SuiteSummary, summarize  # noqa: E402
from evals.models import load_tasks  # noqa: E402
from evals.perturb import DEFAULT_KINDS, KINDS, Kind, variants  # noqa: E402
from evals.report import robustness_table  # noqa: E402

GAP_TARGET = 0.05  # perturbed pass^1 within 5 points of the originals


def _line(s: SuiteSummary) -> str:
    gap = s.robustness_gap
    ok = gap is not None and gap <= GAP_TARGET
    perturbed = 0.0 if s.perturbed_pass1 is None else s.perturbed_pass1
    shown = "–" if gap is None else f"{100 * gap:+5.1f} pts"
    return (
        f"{s.suite:<10} {s.tasks:>5} {s.perturbed_tasks:>9} {100 * s.pass_k[1]:>9.1f}% "
        f"{100 * perturbed:>10.1f}% {shown:>10}   ≤ +5.0 pts  {'met' if ok else 'NOT MET'}"
    )


def main() -> int:
    """Run originals and variants once each; print pass^1 of both, the gap and the target."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suite", action="append", help="suite (repeatable); default: all")
    parser.add_argument(
        "--kind", action="append", choices=KINDS, help="perturbation (repeatable); default: "
        + ", ".join(DEFAULT_KINDS),
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0, help="seed of the perturbations")
    parser.add_argument("--target", help="base URL of a running server (default: in process)")
    parser.add_argument("--target-db", help="with --target: the server's database URL")
    parser.add_argument("--concurrency", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="JSONL results file")
    args = parser.parse_args()

    settings = get_settings()
    originals = load_tasks(args.suite)
    kinds: list[Kind] = list(args.kind or DEFAULT_KINDS)
    tasks = originals + variants(originals, kinds, seed=args.seed)
    config = RunConfig(
        cache_dir=settings.data_dir / "evals",
        concurrency=args.concurrency or (4 if args.target else 1),
        target=args.target,
        target_db=args.target_db,
        api_key=os.environ.get("TOPLLANTAS_EVAL_API_KEY"),
        staff_api_key=os.environ.get("TOPLLANTAS_EVAL_STAFF_KEY"),
    )
    harness = Harness(settings, config)
    out = args.out or RESULTS_DIR / "robustness.jsonl"
    print(
        f"{len(originals)} tasks + {len(tasks) - len(originals)} variants "
        f"({', '.join(kinds)}; seed {args.seed}) on {harness.target_name}; results in {out}"
    )
    started = time.perf_counter()
    try:
        results = harness.run(tasks, out=out)
    finally:
        harness.close()
    summaries = summarize(results)
    print(f"\nran in {time.perf_counter() - started:.0f} s\n")
    print(
        f"{'suite':<10} {'tasks':>5} {'variants':>9} {'original':>10} {'perturbed':>11} "
        f"{'gap':>10}   target"
    )
    for s in summaries.values():
        print(_line(s))
    print("\npass^1 by kind of perturbation:\n")
    print("\n".join(robustness_table(summaries)))
    broken = [t for s in summaries.values() for t in s.broken_by_perturbation]
    if broken:
        print(f"\n{len(broken)} variants fail where the original passes, e.g.:")
        for task_id in broken[:15]:
            print(f"  {task_id}")
    missed = [
        s for s in summaries.values() if s.robustness_gap is None or s.robustness_gap > GAP_TARGET
    ]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
