"""Support tools: tire trouble by symptoms (likely causes, urgency, services with prices)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.clock import mexico_now
from domain.diagnosis import diagnose, dot_date
from domain.pricing import with_iva
from domain.services import SERVICES
from domain.tool_results import Diagnosis, DotInfo, ProblemInfo, ServicePrice
from tools.base import ToolContext, tool

# A DOT code is read only when the talk is about the tire's age or its markings: a bare
# "2019" elsewhere is a model year.
_DATED = frozenset({"tire_age", "cracks"})


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
    )


DIAGNOSE_PROBLEM = tool(diagnose_problem, DiagnoseArgs)
