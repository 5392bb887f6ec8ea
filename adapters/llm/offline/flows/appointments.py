"""Shop appointments from chat: book, move, cancel, list ("agéndame la alineación el sábado en
la mañana", "¿a qué hora es mi cita?", "pásala al viernes a las 10", "cancela la cita").

The service comes from the words, or from the trouble being talked about (pulling → alignment,
vibration → balancing); the day and window from the message; a time when the customer names
one, otherwise the free slots are offered and the next message picks one.
"""

from __future__ import annotations

import re
from datetime import date

from langchain_core.messages import AIMessage

from adapters.llm.offline.nlu import acts
from adapters.llm.offline.templates import support as ts
from adapters.llm.offline.turn import Turn, call, say
from domain.appointment_results import AppointmentBooked, AppointmentList, AppointmentSlots
from domain.clock import to_mexico
from domain.diagnosis import diagnose
from domain.dialogue import Awaiting, Task

ASKS = re.compile(
    r"\b(?:cita|citas|agend\w*|agenda|apartame (?:un )?(?:lugar|horario|espacio)|"
    r"reserv\w* (?:un )?(?:lugar|horario|espacio|turno)|hay lugar|tienen lugar|turno)\b"
)
_CANCEL = re.compile(r"\bcancel\w*\b|\bya no (?:voy a )?(?:ir|poder ir|puedo ir)\b")
_MOVE = re.compile(
    r"\b(?:mueve\w*|muev\w*|mover\w*|cambia\w*|pasa\w*|recorre\w*|reprograma\w*)\b|"
    r"\bmejor (?:el|para el|pal|a las)\b"
)
_LIST = re.compile(
    r"\b(?:mis citas|mi cita|cuando es mi cita|a que hora es mi cita|que cita tengo)\b"
)
_SERVICES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("alignment", re.compile(r"\balin\w*")),
    ("balancing", re.compile(r"\bbalance\w*|\bbalanc\w*")),
    ("rotation", re.compile(r"\brota\w*|\brotacion\b")),
    ("installation", re.compile(r"\binstal\w*|\bmontar\w*|\bmontaj\w*")),
    (
        "warranty_inspection",
        re.compile(r"\bgarantia\b|\binspeccion\b|\brevision\b|\bque la revisen\b"),
    ),
)
# The trouble being talked about → the service that fixes it.
_FOR_PROBLEM = {
    "pulling": "alignment", "uneven_wear": "alignment", "vibration": "balancing",
    "noise": "rotation", "bulge": "warranty_inspection", "separation": "warranty_inspection",
}  # fmt: skip
_SERVICE_WORDS = re.compile("|".join(p.pattern for _, p in _SERVICES))
_TIME = re.compile(
    r"\b(?:a las|las|a la|tipo|como a las)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|de la manana|de la tarde)?\b|"
    r"\b(\d{1,2}):(\d{2})\b|\b(\d{1,2})\s*(am|pm)\b"
)
# "la más temprana", "la primera", "la última", "esa": one of the times offered.
_EARLIEST = re.compile(
    r"\b(?:mas temprano|mas temprana|temprano|temprana|la primera|el primero|la de antes|lo antes)\b"
)
_LATEST = re.compile(r"\b(?:la ultima|el ultimo|mas tarde|la mas tarde|lo mas tarde)\b")
_ANY = re.compile(r"\b(?:la que sea|cualquiera|esa|esa esta bien|la que tengas)\b")
_NEED_QUESTION = re.compile(
    r"\b(?:ocupo|necesito|hace falta|se necesita|tengo que sacar|hay que sacar)\s+cita\s*(?:\?|o\b)|"
    r"\b(?:nomas|solo) llego\b|\bsin cita\b|\bllego directo\b"
)
_SAME_TIME = re.compile(r"\b(?:misma hora|mismo horario|igual hora|a la misma)\b")
_WINDOWS = {"morning": (8, 13), "afternoon": (13, 17), "evening": (17, 21)}


_TOOLS = frozenset({
    "find_appointment_slots", "book_appointment", "move_appointment", "cancel_appointment",
    "list_my_appointments",
})  # fmt: skip


def busy(turn: Turn) -> bool:
    """This model call is about a shop appointment: a message that asks for one (or answers
    the time we offered), or an appointment tool's result to reply from."""
    if turn.outcomes:
        last = turn.last
        return last is not None and last.tool in _TOOLS
    state = turn.state
    if not turn.can("book_appointment"):
        return False
    if state.slots.appointment_number and (_MOVE.search(turn.text) or _CANCEL.search(turn.text)):
        return True  # "siempre no, cámbiala pal viernes"
    return bool(ASKS.search(turn.text)) or (
        state.awaiting == Awaiting.APPOINTMENT_TIME
        and (
            _time(turn.text) is not None
            or turn.entities.when is not None
            or bool(_SERVICE_WORDS.search(turn.text))
            or _picked(turn.text, state.slots.appointment_times) is not None
        )
    )


def _service(turn: Turn) -> str | None:
    for code, pattern in _SERVICES:
        if pattern.search(turn.text):
            return code
    symptoms = turn.state.slots.symptoms
    for problem in diagnose(symptoms or ""):
        if problem.code in _FOR_PROBLEM:
            return _FOR_PROBLEM[problem.code]
    return turn.state.slots.appointment_service


def _time(text: str) -> str | None:
    """ "a las 10", "10:30", "4 pm", "a las 4 de la tarde" → "HH:MM" (24 h)."""
    match = _TIME.search(text)
    if match is None:
        return None
    hour_s, minute_s, suffix = (
        (match[1], match[2], match[3])
        if match[1]
        else (match[4], match[5], None)
        if match[4]
        else (match[6], None, match[7])
    )
    hour, minute = int(hour_s), int(minute_s or 0)
    if suffix in ("pm", "de la tarde") and hour < 12:
        hour += 12
    elif suffix is None and 1 <= hour <= 7:
        hour += 12  # "a las 4" at a tire shop is the afternoon
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return f"{hour:02d}:{minute:02d}"


def _picked(text: str, offered: list[str]) -> str | None:
    """One of the offered times by position or by a time near it ("a las 10" → the closest
    offered, within 45 minutes)."""
    if not offered:
        return None
    if _EARLIEST.search(text) or _ANY.search(text):
        return offered[0]
    if _LATEST.search(text):
        return offered[-1]
    said = _time(text)
    if said is None:
        return None
    if said in offered:
        return said

    def minutes(hhmm: str) -> int:
        h, m = hhmm.split(":")
        return int(h) * 60 + int(m)

    near = min(offered, key=lambda t: abs(minutes(t) - minutes(said)))
    return near if abs(minutes(near) - minutes(said)) <= 45 else said


def _dated(turn: Turn) -> bool:
    """The message names a day of its own ("mejor el viernes")."""
    return turn.entities.when is not None and bool(acts.DATE_WORDS.search(turn.text))


def _day(turn: Turn) -> date | None:
    """The day the message names ("el sábado", "mañana"); "a las 10" alone keeps the day
    whose slots were offered."""
    when = turn.entities.when
    if when is not None and acts.DATE_WORDS.search(turn.text):
        return when.date()
    return turn.state.slots.appointment_day


def appointment(turn: Turn) -> AIMessage:
    """Book, move, cancel or list; a day without a time gets the free slots offered."""
    if turn.outcomes:
        return _answer(turn)
    state, slots, text = turn.state, turn.state.slots, turn.text
    state.task = Task.SUPPORT
    if _LIST.search(text) and not _MOVE.search(text) and not _CANCEL.search(text):
        return call("list_my_appointments")
    if _CANCEL.search(text) and (slots.appointment_number or "cita" in text):
        return call("cancel_appointment", number=slots.appointment_number)
    day = _day(turn)
    offered = slots.appointment_times if state.awaiting == Awaiting.APPOINTMENT_TIME else []
    at = _picked(text, offered) if offered and not _dated(turn) else _time(text)
    if at is None and _SAME_TIME.search(text) and slots.appointment_at:
        at = slots.appointment_at  # "pásala al viernes a la misma hora"
    branch = turn.entities.branches[0] if turn.entities.branches else slots.appointment_branch
    slots.appointment_branch = branch
    if slots.appointment_number and _MOVE.search(text) and day and at:
        return call(
            "move_appointment", number=slots.appointment_number, day=day.isoformat(), time=at
        )
    service = _service(turn)
    if service is None:
        turn.expect(Awaiting.APPOINTMENT_TIME, Task.SUPPORT)
        return say(ts.ASK_SERVICE)
    slots.appointment_service = service
    if _NEED_QUESTION.search(text) and at is None:
        # "¿ocupo cita o nomás llego?": no need; the price, and a slot if they want one.
        turn.expect(Awaiting.APPOINTMENT_TIME, Task.SUPPORT)
        return say(ts.no_appointment_needed(service))
    if day is not None:
        slots.appointment_day = day
    if day is not None and at is not None:
        return call(
            "book_appointment", service=service, day=day.isoformat(), time=at, branch=branch
        )
    window = turn.entities.window
    slots.appointment_window = window.value if window is not None else slots.appointment_window
    return call(
        "find_appointment_slots",
        service=service,
        branch=branch,
        day=day.isoformat() if day else None,
    )


def _answer(turn: Turn) -> AIMessage:
    outcome = turn.last
    assert outcome is not None
    slots = turn.state.slots
    if outcome.error is not None:
        turn.expect(Awaiting.APPOINTMENT_TIME, Task.SUPPORT)
        return say(ts.tool_error(outcome.tool, outcome.error))
    offered = outcome.get(AppointmentSlots)
    if offered is not None:
        times = [s.time for s in offered.slots]
        window = _WINDOWS.get(slots.appointment_window or "")
        if window is not None:
            inside = [t for t in times if window[0] <= int(t.split(":")[0]) < window[1]]
            times = inside or times
        slots.appointment_day = offered.day
        slots.appointment_times = times[:4]
        slots.appointment_branch = offered.branch.code
        turn.expect(Awaiting.APPOINTMENT_TIME, Task.SUPPORT)
        return say(ts.appointment_slots(offered, times))
    booked = outcome.get(AppointmentBooked)
    if booked is not None:
        slots.appointment_number = (
            None if booked.change == "cancelled" else booked.appointment.number
        )
        slots.appointment_day = None
        slots.appointment_times = []
        slots.appointment_at = to_mexico(booked.appointment.starts_at).strftime("%H:%M")
        turn.expect(Awaiting.NOTHING, Task.SUPPORT)
        return say(ts.appointment_booked(booked))
    listed = outcome.get(AppointmentList)
    if listed is not None:
        if listed.appointments:
            slots.appointment_number = listed.appointments[0].number
        turn.expect(Awaiting.NOTHING, Task.SUPPORT)
        return say(ts.appointment_list(listed))
    return say(ts.ASK_SERVICE)
