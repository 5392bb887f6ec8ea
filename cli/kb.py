"""topllantas kb: ingest documents, search the knowledge base, measure its retrieval."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from core.settings import Settings, get_settings

if TYPE_CHECKING:  # chromadb loads only when a kb command runs
    from knowledge_base import KnowledgeBase
    from knowledge_base.base import IngestReport

kb_app = typer.Typer(
    no_args_is_help=True,
    help="Knowledge base: ingest, search, evaluate (bundled content is indexed on first use).",
    add_completion=False,
)
ModeName = Literal["fusion", "dense", "lexical"]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=2)


def open_kb(settings: Settings, *, with_catalog: bool = True) -> KnowledgeBase:
    """The knowledge base of the settings; product sheets come from the store of record."""
    from knowledge_base import KnowledgeBase

    catalog = None
    if with_catalog:
        from adapters.erp.factory import build_erp
        from db.engine import make_engine
        from db.migrate import upgrade
        from knowledge_base.sheets import catalog_from_erp

        engine = make_engine(settings.resolved_database_url)
        upgrade(engine)
        catalog = catalog_from_erp(build_erp(settings, engine, actor="cli:kb"))
    return KnowledgeBase(settings, catalog=catalog)


def _report(report: IngestReport) -> None:
    typer.echo(
        f"{report.source}: {report.documents} documents, {report.chunks} chunks "
        f"({report.added} new, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.removed} removed)."
    )


@kb_app.command("ingest")
def ingest(
    path: Annotated[Path, typer.Argument(help="A file or folder: .md, .html, .pdf, .csv")],
    source: Annotated[
        str | None,
        typer.Option(help="Name of this set of documents (default: the resolved path)"),
    ] = None,
) -> None:
    """Ingest documents; unchanged chunks are skipped, documents gone from PATH leave the index."""
    kb = open_kb(get_settings())
    started = time.perf_counter()
    kb.ensure_ready()
    try:
        report = kb.ingest(path, source=source)
    except ValueError as exc:
        _fail(str(exc))
        return
    _report(report)
    typer.echo(f"Index: {kb.count()} chunks in {time.perf_counter() - started:.1f} s.")


@kb_app.command("refresh")
def refresh() -> None:
    """Re-sync the bundled documents and the product sheets (after a catalogue or stock change)."""
    kb = open_kb(get_settings())
    started = time.perf_counter()
    for report in kb.refresh():
        _report(report)
    typer.echo(f"Index: {kb.count()} chunks in {time.perf_counter() - started:.1f} s.")


@kb_app.command("remove")
def remove(
    doc_id: Annotated[str, typer.Argument(help="A document id, e.g. boletin-r-2024-01")],
) -> None:
    """Remove one document's chunks from the index."""
    removed = open_kb(get_settings(), with_catalog=False).remove(doc_id)
    if not removed:
        _fail(f"no document {doc_id!r} in the index")
    typer.echo(f"Removed {removed} chunks of {doc_id}.")


@kb_app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="The question, as a customer would write it")],
    k: Annotated[int, typer.Option(min=1, max=50, help="How many chunks")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON: [{id, title, score, text}]")
    ] = False,
    mode: Annotated[str, typer.Option(help="fusion, dense (e5) or lexical (TF-IDF)")] = "fusion",
) -> None:
    """Search the knowledge base."""
    if mode not in ("fusion", "dense", "lexical"):
        _fail("--mode must be fusion, dense or lexical")
    hits = open_kb(get_settings()).search(text, k=k, mode=mode)  # type: ignore[arg-type]
    if as_json:
        typer.echo(
            json.dumps(
                [{"id": h.id, "title": h.title, "score": h.score, "text": h.text} for h in hits],
                ensure_ascii=False,
            )
        )
        return
    for hit in hits:
        typer.echo(f"{hit.score:.4f}  {hit.id}\n        {hit.title}")
    if not hits:
        typer.echo("No results.")


@kb_app.command("eval")
def evaluate_cmd(
    queries: Annotated[
        Path | None, typer.Option(help="JSON lines {q, expected}; default the bundled set")
    ] = None,
    mode: Annotated[str, typer.Option(help="fusion, dense, lexical or all")] = "all",
    show_misses: Annotated[bool, typer.Option(help="List the questions missed at 5")] = False,
) -> None:
    """Recall@1, recall@5, MRR and latency on the question set; exit 1 below the targets."""
    from knowledge_base.evaluation import evaluate, load_questions, unknown_ids

    modes: list[ModeName] = ["dense", "lexical", "fusion"] if mode == "all" else [mode]  # type: ignore[list-item]
    kb = open_kb(get_settings())
    questions = load_questions(queries)
    missing = unknown_ids(kb, questions)
    if missing:
        _fail(f"expected chunk ids not in the index: {', '.join(missing)}")
    typer.echo(f"{len(questions)} questions, {kb.count()} chunks")
    typer.echo(f"{'mode':<8} {'R@1':>6} {'R@5':>6} {'MRR':>6} {'p95 ms':>7}")
    ok = True
    for name in modes:
        result = evaluate(kb, questions, mode=name)
        typer.echo(
            f"{name:<8} {result.recall_at_1:6.3f} {result.recall_at_5:6.3f} {result.mrr:6.3f} "
            f"{result.p95_ms:7.1f}"
        )
        if name == "fusion":
            ok = result.meets_targets()
        if show_misses:
            for miss in result.misses:
                typer.echo(f"   miss: {miss.q!r} want {miss.expected} got {miss.got}")
    typer.echo("targets: R@5 >= 0.95, MRR >= 0.85, p95 < 50 ms: " + ("met" if ok else "NOT met"))
    if not ok:
        raise typer.Exit(code=1)
