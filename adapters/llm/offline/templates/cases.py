"""What technicians read about their cases, and what customers hear about theirs."""

from __future__ import annotations

from domain.case_results import CaseDetail, CaseList, CaseSummary, CaseUpdate
from domain.spanish import local_moment

STATUS_ES = {
    "new": "nuevo",
    "assigned": "asignado",
    "waiting_customer": "esperando al cliente",
    "resolved": "resuelto",
    "closed": "cerrado",
}
PRIORITY_ES = {"urgent": "urgente", "high": "alta", "normal": "normal", "low": "baja"}
TRANSCRIPT_SHOWN = 6

ASK_WHAT = (
    "¿Qué hacemos? Puedo mostrarte tus casos pendientes, abrir uno (p. ej. «abre el CS-000123»), "
    "tomarlo, responderle al cliente («respóndele que ...»), anotar algo o cerrarlo con el motivo."
)
ASK_WHICH = "¿De qué caso? Dime el número (p. ej. CS-000123) o pídeme tus pendientes."
ASK_REPLY_TEXT = "¿Qué le digo al cliente? Escríbelo como «respóndele que ...»."


def _line(case: CaseSummary) -> str:
    overdue = " ⏰ vencido" if case.overdue else ""
    who = case.customer_name or case.customer_phone or "cliente web"
    vehicle = f" · {case.vehicle}" if case.vehicle else ""
    symptoms = case.symptoms if len(case.symptoms) <= 70 else case.symptoms[:67] + "..."
    return (
        f"• {case.number} ({PRIORITY_ES.get(case.priority, case.priority)}, "
        f"{STATUS_ES.get(case.status, case.status)}{overdue}) {who}{vehicle}: {symptoms}"
    )


def case_list(result: CaseList, scope: str) -> str:
    """The technician's queue, most urgent first."""
    if not result.cases:
        return {
            "mine": "No tienes casos pendientes 🙌 ¿Quieres ver los que nadie ha tomado?",
            "unassigned": "No hay casos sin técnico ahorita 🙌",
        }.get(scope, "No hay casos abiertos 🙌")
    head = {
        "mine": f"Tienes {result.total} caso{'s' if result.total != 1 else ''} pendiente"
        f"{'s' if result.total != 1 else ''}:",
        "unassigned": f"Sin técnico: {result.total}",
    }.get(scope, f"Casos abiertos: {result.total}")
    return "\n".join([head, *(_line(c) for c in result.cases[:10])])


def case_detail(case: CaseDetail) -> str:
    """One case with what the technician needs to answer it."""
    lines = [
        f"{case.number} · {STATUS_ES.get(case.status, case.status)} · prioridad "
        f"{PRIORITY_ES.get(case.priority, case.priority)} · responder antes de "
        f"{local_moment(case.sla_due_at)}" + (" ⏰ vencido" if case.overdue else ""),
        f"Cliente: {case.customer_name or 'cliente web'}"
        + (f" ({case.customer_phone})" if case.customer_phone else "")
        + f" por {case.channel}",
    ]
    if case.vehicle:
        lines.append(f"Vehículo: {case.vehicle}")
    if case.order_folio or case.dot:
        extra = ", ".join(x for x in (case.order_folio, f"DOT {case.dot}" if case.dot else "") if x)
        lines.append(f"Pedido / llanta: {extra}")
    lines.append(f"Síntomas: {case.symptoms}")
    if case.diagnosis_summary:
        lines.append(f"Diagnóstico: {case.diagnosis_summary}")
    if case.assignee_name or case.assignee:
        lines.append(f"Lo tiene: {case.assignee_name or case.assignee}")
    if case.transcript:
        lines.append("Plática:")
        lines.extend(f"  {line}" for line in case.transcript[-TRANSCRIPT_SHOWN:])
    return "\n".join(lines)


def case_update(result: CaseUpdate, action: str) -> str:
    """A claim, reply, note, resolution or closing, confirmed."""
    status = STATUS_ES.get(result.status, result.status)
    if action == "claim_case":
        return f"Listo, {result.number} es tuyo (estado: {status})."
    if action == "reply_to_case_customer":
        where = f" a {result.sent_to}" if result.sent_to else " en su plática"
        return f"Enviado{where} ✅ El caso {result.number} queda {status}."
    if action == "comment_case":
        return f"Anotado en {result.number} (nota interna, el cliente no la ve)."
    if action == "resolve_case":
        return (
            f"{result.number} resuelto ✅ Le mandé al cliente el aviso y la encuesta de "
            "satisfacción."
        )
    return f"{result.number}: {status}."
