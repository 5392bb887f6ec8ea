"""Knowledge-base retrieval: e5 alone, TF-IDF alone and their fusion on colloquial questions.

The questions (knowledge_base/eval/queries.jsonl) were written apart from the documents, the way
customers write on WhatsApp (slang, typos, no accents), each with the chunk ids that answer it.
Prints recall@1, recall@5, MRR and per-question latency (p50/p95) for each ranking, beside the
targets (recall@5 >= 0.95, MRR >= 0.85, p95 < 50 ms), plus the ingestion time.

Builds the index in a temporary data directory with the demo catalogue (so product sheets are
in it), or reuses one:

    python bench/kb_retrieval.py [--data-dir DIR] [--misses] [--queries FILE]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from adapters.erp.sql import SqlErp
from core.settings import Settings
from db.demo.seed import is_seeded, seed_demo
from db.engine import make_engine
from db.migrate import upgrade
from knowledge_base import KnowledgeBase
from knowledge_base.evaluation import TARGETS, evaluate, load_questions, unknown_ids
from knowledge_base.sheets import catalog_from_erp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="reuse this data directory (index and DB)")
    parser.add_argument("--queries", type=Path, help="JSON lines {q, expected}")
    parser.add_argument("--misses", action="store_true", help="list the questions missed at 5")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    settings = Settings(data_dir=data_dir)
    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    if not is_seeded(engine):
        seed_demo(engine, seed=settings.demo.seed, history_days=30)
    kb = KnowledgeBase(
        settings, catalog=catalog_from_erp(SqlErp.from_settings(engine, settings, actor="bench"))
    )
    started = time.perf_counter()
    kb.ensure_ready()
    ingest_s = time.perf_counter() - started
    questions = load_questions(args.queries)
    missing = unknown_ids(kb, questions)
    if missing:
        raise SystemExit(f"expected ids not in the index: {missing}")
    print(f"data dir {data_dir}")
    print(f"{len(questions)} questions, {kb.count()} chunks, ingest/open {ingest_s:.1f} s")
    print()
    print(f"{'ranking':<16} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'p50 ms':>7} {'p95 ms':>7}")
    results = []
    for mode, label in (
        ("dense", "e5 only"),
        ("lexical", "TF-IDF + slang"),
        ("fusion", "fusion (RRF)"),
    ):
        result = evaluate(kb, questions, mode=mode)  # type: ignore[arg-type]
        results.append(result)
        print(
            f"{label:<16} {result.recall_at_1:6.3f} {result.recall_at_5:6.3f} {result.mrr:6.3f} "
            f"{result.p50_ms:7.1f} {result.p95_ms:7.1f}"
        )
    print(
        f"{'target':<16} {'':>6} {TARGETS['recall_at_5']:6.2f} {TARGETS['mrr']:6.2f} "
        f"{'':>7} {'<' + str(int(TARGETS['p95_ms'])):>7}"
    )
    fusion = results[-1]
    print(f"\nfusion meets the targets: {'yes' if fusion.meets_targets() else 'NO'}")
    if args.misses:
        for result in results:
            print(f"\nmissed at 5 by {result.mode} ({len(result.misses)}):")
            for miss in result.misses:
                print(f"  {miss.q!r}\n     want {miss.expected}\n     got  {miss.got}")


if __name__ == "__main__":
    main()
