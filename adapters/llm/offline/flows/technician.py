"""Technicians in chat: their queue, one case, claim, reply to the customer, notes, resolve.

"¿qué casos tengo pendientes?", "abre el CS-000123", "lo tomo", "respóndele que ya quedó",
"anota que pidió llamada", "ciérralo, era la válvula". The case being worked stays in the
dialogue state, so "respóndele" needs no number after "abre el CS-000123".
"""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline.flows import kb
from adapters.llm.offline.templates import cases as tcs
from adapters.llm.offline.templates import support as ts
from adapters.llm.offline.turn import Turn, call, say
from domain.case_results import CaseDetail, CaseList, CaseUpdate
from domain.cases import ResolutionCode
from domain.dialogue import Task
from domain.tool_results import KbAnswer

_NUMBER = re.compile(r"\bcs[-\s]?0*(\d{1,6})\b")
_LIST = re.compile(
    r"\b(?:casos|pendientes|que tengo|mis casos|cola|asignados|que hay|sin tecnico|sin asignar)\b"
)
_UNASSIGNED = re.compile(r"\b(?:sin tecnico|sin asignar|nadie ha tomado|libres|sin dueno)\b")
_ALL = re.compile(r"\b(?:todos los casos|todos|abiertos)\b")
_CLAIM = re.compile(
    r"\b(?:lo tomo|tomalo|me lo asigno|asignamelo|yo lo veo|lo agarro|tomarlo|me quedo con|"
    r"yo me encargo|me lo quedo|lo atiendo yo)\b"
)
_URGENT = re.compile(r"\b(?:mas urgente|urgentes|prioridad|el primero|cual atiendo|cual sigue)\b")
_REPLY = re.compile(
    r"\b(?:resp[oó]ndele|contest[aá]le|d[ií]le|m[aá]ndale|escr[ií]bele|av[ií]sale|"
    r"preg[uú]ntale)\b(?:\s+al? (?:del? )?(?:cs[-\s]?\d+|cliente))?\s+(?:que\s+|si\s+)?(.+)$",
    re.IGNORECASE | re.DOTALL,
)
_NOTE = re.compile(
    r"\b(?:anota|apunta|comenta|nota)\s*(?:que|:)?\s+(.+)$", re.IGNORECASE | re.DOTALL
)
_RESOLVE = re.compile(
    r"\b(?:cierralo|cierra|ciérralo|resuelto|resuelvelo|ya quedo|ya se resolvio|dalo por resuelto|"
    r"listo el caso)\b"
)
_CLOSE_FOR_GOOD = re.compile(r"\b(?:archivalo|cierralo definitivamente|ciérralo definitivamente)\b")
_ABOUT_CASE = re.compile(
    r"\b(?:que dijo|que escribio|que puso|quien lo tiene|quien lo trae|de quien es|el cliente|"
    r"transcripcion|platica|detalle|detalles|contexto)\b"
)
# How a technician says how it ended → the resolution code.
_CODES: tuple[tuple[ResolutionCode, re.Pattern[str]], ...] = (
    (ResolutionCode.WARRANTY_APPROVED, re.compile(r"\bgarantia (?:aprobada|aplica|si aplico)\b")),
    (
        ResolutionCode.WARRANTY_DENIED,
        re.compile(r"\bgarantia (?:no|negada|rechazada)\b|\bno aplica\b"),
    ),
    (ResolutionCode.REPLACED, re.compile(r"\b(?:se cambio|cambiamos|reemplaz\w*|llanta nueva)\b")),
    (ResolutionCode.SERVICE_BOOKED, re.compile(r"\b(?:cita|agend\w*)\b")),
    (ResolutionCode.NO_FAULT_FOUND, re.compile(r"\b(?:no tenia nada|sin falla|no se encontro)\b")),
    (ResolutionCode.NO_RESPONSE, re.compile(r"\b(?:no contesto|no respondio|sin respuesta)\b")),
    (ResolutionCode.DUPLICATE, re.compile(r"\bduplicad\w*\b")),
    (ResolutionCode.ADVICE_GIVEN, re.compile(r"\b(?:se le explico|orientamos|asesoria|consejo)\b")),
    (
        ResolutionCode.REPAIRED,
        re.compile(r"\b(?:era|fue|se reparo|reparad\w*|parche|valvula|balance\w*|alinea\w*)\b"),
    ),
)


def _number(text: str) -> str | None:
    match = _NUMBER.search(text)
    return f"CS-{int(match[1]):06d}" if match else None


def _code(text: str) -> ResolutionCode:
    return next((code for code, pattern in _CODES if pattern.search(text)), ResolutionCode.OTHER)


def technician(turn: Turn) -> AIMessage:
    """A technician's message: one case action, on the named case or the one being worked."""
    if turn.outcomes:
        return _answer(turn)
    state = turn.state
    state.task = Task.SUPPORT
    text, original = turn.text, turn.analysis.text
    named = _number(text)
    if named:
        state.slots.case_number = named
    number = state.slots.case_number
    reply = _REPLY.search(original)
    note = _NOTE.search(original)
    if reply and number:
        return call("reply_to_case_customer", number=number, text=reply[1].strip())
    if reply:
        return say(tcs.ASK_WHICH)
    if _CLOSE_FOR_GOOD.search(text) and number:
        return call("close_case", number=number)
    if _RESOLVE.search(text) and number:
        reason = re.split(r"[,.;:]", original, maxsplit=1)
        return call(
            "resolve_case",
            number=number,
            resolution_code=_code(text).value,
            note=(reason[1].strip() if len(reason) > 1 else original.strip())[:2000],
        )
    if note and number:
        return call("comment_case", number=number, text=note[1].strip())
    if _CLAIM.search(text) and number:
        return call("claim_case", number=number)
    if named:
        return call("get_case", number=named)  # "abre el CS-000123", "a perdón, es el CS-000001"
    if number and _ABOUT_CASE.search(text):
        return call("get_case", number=number)  # "¿qué dijo el cliente exactamente?"
    if _LIST.search(text) or _URGENT.search(text):
        scope = "unassigned" if _UNASSIGNED.search(text) else "all" if _ALL.search(text) else "mine"
        state.slots.report = scope
        return call("list_my_cases", scope=scope)
    if (_CLAIM.search(text) or _RESOLVE.search(text) or note) and not number:
        return say(tcs.ASK_WHICH)
    leaning = kb.follow_up(turn)  # "¿y hay que reapretar después?" after the torque answer
    if leaning is not None:
        return leaning
    if len(text.split()) >= 3 and turn.can("search_knowledge_base"):
        return kb.search(turn, text)  # "¿a cuánto aprieto birlos de 14?"
    return say(tcs.ASK_WHAT)


def _answer(turn: Turn) -> AIMessage:
    outcome = turn.last
    assert outcome is not None
    if outcome.error is not None:
        return say(ts.tool_error(outcome.tool, outcome.error))
    listed = outcome.get(CaseList)
    if listed is not None:
        scope = turn.state.slots.report or "mine"
        if not listed.cases and scope == "mine" and turn.can("list_my_cases"):
            # "¿qué casos tengo pendientes?" with none of their own: the ones nobody took.
            turn.state.slots.report = "unassigned"
            return call("list_my_cases", scope="unassigned")
        return say(tcs.case_list(listed, scope))
    detail = outcome.get(CaseDetail)
    if detail is not None:
        turn.state.slots.case_number = detail.number
        return say(tcs.case_detail(detail))
    answer = outcome.get(KbAnswer)
    if answer is not None:
        answer = kb.answered(turn, answer)
        return say(ts.kb_answer(answer) if answer.passages else tcs.ASK_WHAT)
    update = outcome.get(CaseUpdate)
    if update is not None:
        turn.state.slots.case_number = update.number
        return say(tcs.case_update(update, outcome.tool))
    return say(tcs.ASK_WHAT)
