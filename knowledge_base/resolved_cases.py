"""Resolved support cases, reviewed by staff, published as "casos resueltos" guides.

Only what helps the next customer goes in: the problem in the customer's words (as the
reviewer left it), the vehicle, the diagnosis and how it was solved. Never the customer's name,
phone or folio. Each case is one Markdown file under ``DATA_DIR/kb_casos``; ingesting the folder
keeps the index equal to it (a file removed leaves the index).
"""

from __future__ import annotations

from pathlib import Path

from core.errors import Conflict
from core.settings import Settings
from domain.case_results import CaseDetail
from knowledge_base.base import IngestReport, KnowledgeBase

SOURCE = "casos-resueltos"
PUBLISHABLE = frozenset({"resolved", "closed"})
RESOLUTION_ES = {
    "repaired": "se reparó",
    "replaced": "se cambió la llanta",
    "warranty_approved": "garantía aprobada",
    "warranty_denied": "no aplicó la garantía",
    "service_booked": "se agendó un servicio",
    "advice_given": "se orientó al cliente",
    "no_fault_found": "no se encontró falla",
    "duplicate": "caso duplicado",
    "no_response": "el cliente no respondió",
    "other": "otro",
}


def folder(settings: Settings) -> Path:
    """Where the published cases live."""
    return settings.data_dir / "kb_casos"


def case_markdown(case: CaseDetail, *, symptoms: str | None, solution: str | None) -> str:
    """The guide a resolved case becomes (what the reviewer approved, nothing personal)."""
    title = case.diagnosis_summary or "Caso resuelto"
    told = (symptoms or case.symptoms).strip()
    how = (solution or case.resolution_note or "").strip()
    ended = RESOLUTION_ES.get(case.resolution_code or "other", "otro")
    lines = [
        "---",
        f"id: caso-{case.number.lower()}",
        f"title: Caso resuelto: {title}",
        "topic: casos resueltos",
        "---",
        "",
        "## Lo que notaba el cliente",
        "",
        told + (f" (vehículo: {case.vehicle})" if case.vehicle else ""),
        "",
        "## Qué era y cómo se resolvió",
        "",
        f"{case.diagnosis_summary or 'Revisión técnica'}: {ended}." + (f" {how}" if how else ""),
        "",
    ]
    return "\n".join(lines)


def publish(
    kb: KnowledgeBase,
    settings: Settings,
    case: CaseDetail,
    *,
    symptoms: str | None = None,
    solution: str | None = None,
) -> IngestReport:
    """Write the case's guide and bring the index in line with the published cases.

    Raises:
        Conflict: the case is not resolved or closed yet (``field="status"``).
    """
    if case.status not in PUBLISHABLE:
        raise Conflict(
            f"case {case.number} is {case.status}; only resolved or closed cases are published",
            field="status",
        )
    where = folder(settings)
    where.mkdir(parents=True, exist_ok=True)
    text = case_markdown(case, symptoms=symptoms, solution=solution)
    (where / f"{case.number.lower()}.md").write_text(text, encoding="utf-8")
    return kb.ingest(where, source=SOURCE)
