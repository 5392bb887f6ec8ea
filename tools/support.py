"""Support tools: tire trouble by symptoms (likely causes, urgency, services with prices, the
knowledge-base passages it rests on) and knowledge-base search for care and how-to questions."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.clock import mexico_now
from domain.diagnosis import diagnose, dot_date
from domain.pricing import with_iva
from domain.services import SERVICES
from domain.tool_results import Diagnosis, DotInfo, KbAnswer, KbPassage, ProblemInfo, ServicePrice
from knowledge_base.documents import Hit
from knowledge_base.quick import bundled_search
from tools.base import KnowledgeSearch, ToolContext, tool

# A DOT code is read only when the talk is about the tire's age or its markings: a bare
# "2019" elsewhere is a model year.
_DATED = frozenset({"tire_age", "cracks"})


class SearchArgs(BaseModel):
    """Arguments of search_knowledge_base."""

    query: str = Field(
        min_length=2, max_length=300, description="La pregunta, en palabras del cliente"
    )
    k: int = Field(3, ge=1, le=8, description="Cuántos pasajes")


def _kb(ctx: ToolContext) -> KnowledgeSearch:
    return ctx.kb if ctx.kb is not None else bundled_search(ctx.settings)


def _passages(hits: list[Hit]) -> list[KbPassage]:
    return [KbPassage(id=h.id, title=h.title, text=h.text, links=list(h.links)) for h in hits]


def search_knowledge_base(ctx: ToolContext, args: SearchArgs) -> KbAnswer:
    """Busca en la base de conocimiento de TopLlantas (presión, rotación, alineación y balanceo,
    leer el costado y el DOT, edad y almacenamiento, run-flat y TPMS, refacción, instalación,
    garantías por marca, servicios y precios, pagos, facturación y entregas). Responde con el
    contenido de los pasajes, sin inventar; cita el título."""
    return KbAnswer(passages=_passages(_kb(ctx).search(args.query, args.k)))


class DiagnoseArgs(BaseModel):
    """Arguments of diagnose_problem."""

    symptoms: str = Field(
        min_length=3,
        max_length=600,
        description="Lo que el cliente describe, con sus palabras (todo lo que ha contado)",
    )


def diagnose_problem(ctx: ToolContext, args: DiagnoseArgs) -> Diagnosis:
    """Diagnóstico por síntomas (vibración, se jala, desgaste, ponchadura, chipote, pierde
    aire, grietas, ruido, testigo de presión, edad/DOT): causas probables, urgencia (stop = no
    usarla, soon = en días, routine), qué revisar, si la llanta se cambia o se repara, los
    servicios del taller con precio y la pregunta que distingue las causas. Sin síntomas
    reconocibles devuelve problems vacío: pide más detalle."""
    problems = diagnose(args.symptoms)
    codes = [p.code for p in problems]
    question = problems[0].asks(args.symptoms) if problems else None
    today = mexico_now()
    dot = None
    if _DATED & set(codes) or "dot" in args.symptoms.lower():
        date = dot_date(args.symptoms, current_year=today.year)
        if date is not None:
            week = today.isocalendar().week
            dot = DotInfo(
                week=date.week, year=date.year, age_years=date.age_years(today.year, week)
            )
            question = None
    wanted = [code for p in problems[:2] for code in p.services]
    services = [
        ServicePrice(code=s.code, name=s.name, unit=s.unit, price_cents=with_iva(s.price_cents))
        for s in SERVICES
        if s.code in wanted
    ]
    return Diagnosis(
        problems=[
            ProblemInfo(
                code=p.code,
                title=p.title,
                summary=p.summary,
                causes=list(p.causes),
                urgency=p.urgency.value,
                checks=list(p.checks),
                replace=p.replace,
            )
            for p in problems[:2]
        ],
        services=services,
        question=question,
        dot=dot,
        sources=_passages(_kb(ctx).search(args.symptoms, 2)) if problems else [],
    )


DIAGNOSE_PROBLEM = tool(diagnose_problem, DiagnoseArgs)
SEARCH_KNOWLEDGE_BASE = tool(search_knowledge_base, SearchArgs)
