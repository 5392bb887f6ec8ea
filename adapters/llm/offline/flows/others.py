"""The support, logistics and staff (inventory) flows."""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline.flows import appointments, kb, orders
from adapters.llm.offline.flows.state import apply_commands
from adapters.llm.offline.flows.technician import technician
from adapters.llm.offline.nlu import acts
from adapters.llm.offline.templates import common as t
from adapters.llm.offline.templates import support as ts
from adapters.llm.offline.turn import Turn, call, say
from adapters.llm.offline.understand import asks_price
from domain.case_results import CaseRating
from domain.diagnosis import Urgency, diagnose
from domain.dialogue import (
    AgentName,
    Awaiting,
    CommandKind,
    FulfillmentMode,
    HandoffReason,
    PersonaRole,
    Task,
)
from domain.tool_results import (
    Diagnosis,
    HandoffResult,
    KbAnswer,
    OrderStatus,
    ServicePrices,
)
from domain.warranty_causes import EXCLUDED, RULES, deciding, problem_codes
from domain.warranty_results import WarrantyCheck
from tools.history import TechnicalHistory

# Symptoms, in the customer's words, that make a message part of a tire problem's description.
_SYMPTOM_FOLLOW_UP = re.compile(
    r"\b(?:orilla|hombro|costado|banda|centro|en medio|volante|asiento|frenar|frenando|siempre|"
    r"km|kilometros|carretera|velocidad|arriba de|dice|dot|\d{4}|sigue|siguen|todavia|aun|"
    r"enterrado|clavo|tornillo|no le veo|saco|quito|sacarlo|quitarlo|libras|presion|"
    r"nueva|nuevas|casi no la uso|casi no la usa|se ve bien|se ven bien)\b"
)
_WANTS_REVIEW = re.compile(
    r"\b(?:que )?(?:lo|la|las|los|me la|me lo|me las) (?:revisen|chequen|vean|cheque|revise)\b|"
    r"\brevis(?:en|ar)(?:la|lo|las|los)\b"
)
_DOT_CODE = re.compile(r"\bdot\b\D{0,12}(\d{4})\b")
_RUN_FLAT = re.compile(r"\b(?:run ?flat|runflat|rft|que no se ponchan|no se ponchan)\b")
_COVERAGE = re.compile(r"\b(?:entra|entran|cubre|cubren|aplica|aplican)\b")
_NO_TICKET = re.compile(
    r"\b(?:no tengo|perdi|ya no tengo|sin|no encuentro) (?:el |la |mi )?(?:ticket|nota|factura|comprobante)\b"
)
_INSISTS = re.compile(r"\b(?:aunque|ni aunque|ni asi|nueva|nuevas|seguro|neta|de verdad)\b")
_ABOUT_TERMS = re.compile(
    r"\b(?:que cubre|cubre|que incluye|incluye|cuanto dura|de cuanto es|como funciona|"
    r"que marcas|que pasa si|aplica si|en que casos|cuales son)\b"
)


def support(turn: Turn) -> AIMessage:
    """Tire trouble by symptoms (the diagnosis tool), warranty, care; a person when needed,
    once per conversation (later details are added to that case)."""
    if turn.role == PersonaRole.TECHNICIAN:
        return technician(turn)
    if appointments.busy(turn):
        return appointments.appointment(turn)
    if turn.outcomes:
        outcome = turn.last
        assert outcome is not None
        if outcome.error is not None:
            return say(ts.tool_error(outcome.tool, outcome.error))
        found = outcome.get(Diagnosis)
        if found is not None:
            return _diagnosis_answer(turn, found)
        answer = outcome.get(KbAnswer)
        if answer is not None:
            return _kb_answer(turn, answer)
        checked = outcome.get(WarrantyCheck)
        if checked is not None:
            return _warranty_answer(turn, checked)
        history = outcome.get(TechnicalHistory)
        if history is not None:
            return _warranty_from_history(turn, history)
        prices = outcome.get(ServicePrices)
        if prices is not None:
            return say(ts.prices_for(prices, diagnose(turn.state.slots.symptoms or turn.text)))
        rated = outcome.get(CaseRating)
        if rated is not None:
            turn.expect(Awaiting.NOTHING, Task.SUPPORT)
            return say(ts.rated(rated))
        handed = outcome.get(HandoffResult)
        if handed is not None and acts.WAITING_CASE.search(turn.text):
            turn.state.slots.handoff_lead = handed.lead_id
            turn.state.slots.handoff_kind = handed.kind
            turn.expect(Awaiting.NOTHING, Task.SUPPORT)
            return say(ts.still_waiting(handed))
        reply = orders.after(turn)
        verdict = next((o.get(WarrantyCheck) for o in turn.outcomes if o.get(WarrantyCheck)), None)
        if handed is not None and verdict is not None:
            reply = say(f"{ts.warranty(verdict)}\n{reply.content}")
        problems = diagnose(turn.state.slots.symptoms or turn.text)
        if handed is not None and problems and problems[0].urgency == Urgency.STOP:
            # "le salió una bola, ¿entra en garantía?": the case is open, and meanwhile it is
            # not safe to drive on.
            reply = say(f"{reply.content}\n{ts.STOP_MEANWHILE}")
        return reply
    state = turn.state
    slots = state.slots
    awaiting = state.awaiting
    changed = apply_commands(state, turn.commands)
    intent, e = turn.intent, turn.entities
    score = acts.rating(turn.text) if awaiting == Awaiting.RATING else None
    if score is not None and turn.can("rate_case"):
        return call("rate_case", rating=score, comment=turn.analysis.text.strip()[:500] or None)
    leaning = kb.follow_up(turn)  # "¿y a cuánto la inflo?" right after the spare's answer
    if leaning is not None:
        return leaning
    folio = e.folios[0] if e.folios else None
    if folio is None and awaiting != Awaiting.FOLIO:
        folio = slots.order_folio  # "¿aplica la garantía?" after the folio was given
    asks_person = bool(acts.WANTS_PERSON.search(turn.text) or _WANTS_REVIEW.search(turn.text))
    # A claim names the warranty, coverage or a folio; "¿es cierto que ya no tiene arreglo?"
    # asks about the tire, whatever the classifier thought.
    warranty = (
        intent == "warranty_claim"
        and not asks_person  # "que la revise un técnico" is no claim
        and ("garantia" in turn.text or bool(_COVERAGE.search(turn.text)) or bool(e.folios))
    ) or bool(_COVERAGE.search(turn.text) and problem_codes(turn.text))
    warranty_talk = warranty or "garantia" in turn.text or slots.handoff_kind == "warranty"
    if (warranty_talk or state.task == Task.SUPPORT) and (
        acts.WHAT_TO_BRING.search(turn.text) or _NO_TICKET.search(turn.text)
    ):
        turn.expect(Awaiting.NOTHING, Task.SUPPORT)
        return say(ts.WARRANTY_BRING)  # "¿qué tengo que llevar?"
    dot = _DOT_CODE.search(turn.text)
    if warranty and not folio and dot and e.brands and turn.can("check_warranty"):
        # "compré unas Continental en otro lado, DOT 4523, se separa la banda": the maker's
        # terms, counted from the DOT week.
        slots.symptoms = f"{slots.symptoms or ''} {turn.text}".strip()[-500:]
        return call("check_warranty", dot=dot[1], brand=e.brands[0], problem=slots.symptoms)
    terms_only = bool(_ABOUT_TERMS.search(turn.text)) and not problem_codes(turn.text)
    if warranty and not folio and not terms_only and turn.can("get_technical_history"):
        # "se le abrió la que me vendieron, ¿aplica?": their purchases say which order.
        slots.symptoms = f"{slots.symptoms or ''} {turn.text}".strip()[-500:]
        return call("get_technical_history")
    again = awaiting == Awaiting.FOLIO and not folio and _INSISTS.search(turn.text)
    if (warranty or again) and not folio:
        told = f"{slots.symptoms or ''} {turn.text}".strip()
        code = deciding(problem_codes(told))
        if code is not None:
            slots.symptoms = told[-500:]
            # "le pegué a un bache y le salió un chipote, ¿lo cubre?": the policy first.
            turn.expect(Awaiting.FOLIO, Task.SUPPORT)
            return say(ts.warranty_policy(RULES[code].reason, RULES[code].cause in EXCLUDED))
    if warranty or (folio and awaiting == Awaiting.FOLIO):
        if folio:
            slots.order_folio = folio
        if folio and turn.can("check_warranty"):
            # The verdict first (terms, reason, what to bring); a possible claim then opens a
            # technician's case in the same turn.
            told = f"{slots.symptoms} {turn.text}" if slots.symptoms else turn.text
            slots.symptoms = told[-500:]
            return call("check_warranty", folio=folio, problem=slots.symptoms)
        if folio:
            return orders.handoff(turn, f"Garantía del folio {folio}", HandoffReason.WARRANTY)
        if _ABOUT_TERMS.search(turn.text) and not diagnose(turn.text):
            # "¿qué cubre la garantía?", "¿cuánto dura?": the policy, before any folio.
            state.task = Task.SUPPORT
            return kb.search(turn, turn.text)
        turn.expect(Awaiting.FOLIO, Task.SUPPORT)
        return say(ts.WARRANTY)
    if acts.WAITING_CASE.search(turn.text):
        # "¿ya me van a hablar?": the open case (this chat's or the customer's) hears it again.
        return call(
            "handoff_to_human",
            reason="El cliente pregunta por su caso",
            kind=slots.handoff_kind or HandoffReason.TECHNICAL.value,
        )
    if slots.handoff_lead is not None and (
        acts.CALL_ME.search(turn.text) or acts.WANTS_PERSON.search(turn.text) or _adds_detail(turn)
    ):
        # "en la tarde me pueden marcar", "tiene mes y medio": added to the case already open,
        # whatever its kind (no second case).
        return call(
            "handoff_to_human",
            reason="Revisión técnica solicitada por el cliente",
            kind=slots.handoff_kind or HandoffReason.TECHNICAL.value,
        )
    pending = orders.answer_pending(turn, awaiting, changed)
    if pending is not None:
        return pending
    if (
        turn.has(CommandKind.HANDOFF)
        or (
            # A "sí" to "¿cambia al dar vuelta?" describes the trouble; it asks for nobody.
            turn.has(CommandKind.CONFIRM) and awaiting == Awaiting.HANDOFF_CONFIRM
        )
        or asks_person
    ):
        return orders.handoff(
            turn, "Revisión técnica solicitada por el cliente", HandoffReason.TECHNICAL
        )
    if _RUN_FLAT.search(turn.text) and turn.can("search_knowledge_base"):
        # "las que no se ponchan": run-flat questions are answered by the guide, not diagnosed.
        return kb.search(turn, f"run flat {turn.text}")
    if (
        asks_price(turn.analysis)
        and turn.can("get_service_prices")
        and (slots.symptoms or state.agent == AgentName.SUPPORT)
    ):
        return call("get_service_prices")  # "¿y eso cuánto sale?" after the diagnosis
    describes = bool(diagnose(turn.text)) or (
        slots.symptoms is not None
        and (awaiting == Awaiting.SYMPTOM_DETAIL or bool(_SYMPTOM_FOLLOW_UP.search(turn.text)))
    )
    if describes or intent == "tire_problem":
        told = f"{slots.symptoms} {turn.text}" if slots.symptoms else turn.text
        slots.symptoms = told[-500:]
        state.task = Task.SUPPORT
        if diagnose(slots.symptoms):
            return call("diagnose_problem", symptoms=slots.symptoms)
        turn.expect(Awaiting.HANDOFF_CONFIRM, Task.SUPPORT)  # it offers a technician
        return say(ts.TELL_ME_MORE)
    if turn.has(CommandKind.DENY) and len(turn.text.split()) <= 3:
        turn.expect(Awaiting.NOTHING)
        return say(ts.OKAY)
    if turn.has(CommandKind.SMALL_TALK):
        return say(t.small_talk(str(turn.command(CommandKind.SMALL_TALK).value)))  # type: ignore[union-attr]
    if len(turn.text.split()) >= 3:
        # "¿cada cuánto roto las llantas?", "¿qué cubre la garantía?": the knowledge base.
        state.task = Task.SUPPORT
        return kb.search(turn, turn.text)
    return _care(turn)


def _care(turn: Turn) -> AIMessage:
    if turn.state.slots.handoff_lead is None:
        turn.expect(Awaiting.HANDOFF_CONFIRM, Task.SUPPORT)
        return say(ts.CARE + "\n" + ts.OFFER_TECHNICIAN)
    turn.expect(Awaiting.NOTHING, Task.SUPPORT)
    return say(ts.CARE)


def _kb_answer(turn: Turn, answer: KbAnswer) -> AIMessage:
    """The best passage, short, with its title (for a follow-up, the sentences about it); the
    care basics when nothing matched."""
    answer = kb.answered(turn, answer)
    if not answer.passages:
        return _care(turn)
    turn.expect(Awaiting.NOTHING, Task.SUPPORT)
    return say(ts.kb_answer(answer))


_BOUGHT = frozenset({"paid", "ready_for_pickup", "out_for_delivery", "delivered"})


def _warranty_from_history(turn: Turn, history: TechnicalHistory) -> AIMessage:
    """One purchase of theirs: its warranty; several: which one; none: the policy for what
    they describe, and the folio if they bought with us."""
    slots = turn.state.slots
    bought = [p for p in history.purchases if p.status in _BOUGHT]
    if len(bought) == 1 and turn.can("check_warranty"):
        slots.order_folio = bought[0].folio
        return call("check_warranty", folio=bought[0].folio, problem=slots.symptoms)
    if len(bought) > 1:
        slots.order_choices = {p.folio: p.items for p in bought[:5]}
        turn.expect(Awaiting.FOLIO, Task.SUPPORT)
        return say(ts.which_purchase(bought[:5]))
    code = deciding(problem_codes(slots.symptoms or turn.text))
    if code is not None:
        turn.expect(Awaiting.FOLIO, Task.SUPPORT)
        return say(ts.warranty_policy(RULES[code].reason, RULES[code].cause in EXCLUDED))
    turn.expect(Awaiting.FOLIO, Task.SUPPORT)
    return say(ts.WARRANTY)


def _warranty_answer(turn: Turn, checked: WarrantyCheck) -> AIMessage:
    """Covered or to be inspected: a technician's case opens now; not covered: why, and what
    we can do instead."""
    first = checked.tires[0] if checked.tires else None
    claim = first is None or first.verdict in ("covered", "needs_inspection")
    if claim and turn.state.slots.handoff_lead is None and turn.can("handoff_to_human"):
        return call(
            "handoff_to_human",
            reason=f"Garantía del folio {checked.folio}" if checked.folio else "Garantía",
            kind=HandoffReason.WARRANTY.value,
        )
    if claim:
        turn.expect(Awaiting.NOTHING, Task.SUPPORT)
        return say(ts.warranty(checked))
    turn.expect(Awaiting.HANDOFF_CONFIRM, Task.SUPPORT)
    return say(f"{ts.warranty(checked)}\n{ts.NOT_COVERED_NEXT}")


def _adds_detail(turn: Turn) -> bool:
    """A statement after the case was opened ("tiene mes y medio, no le pegué a nada"): a
    detail for the technician, not a new request."""
    return (
        turn.intent in ("tire_problem", "warranty_claim", "tire_care")
        and not turn.commands
        and "?" not in turn.analysis.text
    ) or (turn.state.task == Task.SUPPORT and bool(_SYMPTOM_FOLLOW_UP.search(turn.text)))


def _diagnosis_answer(turn: Turn, found: Diagnosis) -> AIMessage:
    """The likely cause, how urgent, the services with prices, then the one question, a new
    tire, or a technician (not offered twice)."""
    slots = turn.state.slots
    text = ts.diagnosis(found)
    first = found.problems[0] if found.problems else None
    if found.question:
        turn.expect(Awaiting.SYMPTOM_DETAIL, Task.SUPPORT)
        return say(f"{text}\n{found.question}")
    if first is not None and (first.replace or first.code in ("tire_age", "cracks")):
        turn.expect(Awaiting.NOTHING, Task.SUPPORT)
        return say(f"{text}\n{ts.OFFER_NEW_TIRE}")
    if slots.handoff_lead is not None:
        turn.expect(Awaiting.NOTHING, Task.SUPPORT)
        return say(text)
    turn.expect(Awaiting.HANDOFF_CONFIRM, Task.SUPPORT)
    return say(f"{text}\n{ts.OFFER_VISIT}")


def logistics(turn: Turn) -> AIMessage:
    """Order status (the order the customer means, honest about delays); rescheduling goes to a
    person for now; pickup or home visit choices are recorded."""
    if turn.outcomes:
        outcome = turn.last
        assert outcome is not None
        if outcome.error is not None:
            return orders.refusal(turn, outcome.tool, outcome.error)
        status = outcome.get(OrderStatus)
        if (
            status is not None
            and status.order is not None
            and turn.state.task == Task.FULFILLMENT
            and turn.can("set_fulfillment")
            and not turn.called("set_fulfillment")
        ):
            turn.state.slots.order_folio = status.order.folio
            if turn.state.slots.fulfillment.mode is None:
                turn.state.slots.fulfillment.mode = FulfillmentMode(status.order.fulfillment.mode)
            return orders.fulfillment(turn)
        return orders.after(turn)
    state = turn.state
    awaiting = state.awaiting
    changed = apply_commands(state, turn.commands)
    if orders.other_order(turn):
        # "no ese no, el otro que aparté": the "no" corrects which order, it declines nothing.
        turn.expect(Awaiting.NOTHING, Task.ORDER_STATUS)  # the first order's question is moot
        return call("get_order_status", other_than=state.slots.order_folio)
    pending = orders.answer_pending(turn, awaiting, changed)
    if pending is not None:
        return pending
    if turn.has(CommandKind.HANDOFF):
        return orders.handoff(
            turn,
            "Logística: el cliente pidió atención de una persona",
            HandoffReason.CUSTOMER_ASKED,
        )
    # A choice of day, window, address or pickup only counts when the customer is arranging the
    # visit ("¿ya puedo pasar a recogerlas?" asks for the status; it chooses nothing).
    arranging = turn.intent in ("delivery_reschedule", "fulfillment") or awaiting in (
        Awaiting.DELIVERY_DETAILS,
        Awaiting.INSTALL_CHOICE,
    )
    wants_visit = arranging and bool(set(changed) & orders.FULFILLMENT_SLOTS)
    if arranging and (turn.intent == "delivery_reschedule" or wants_visit):
        if wants_visit and state.slots.order_folio and turn.can("set_fulfillment"):
            return orders.fulfillment(turn)
        if wants_visit:
            state.task = Task.FULFILLMENT
            return call("get_order_status", folio=turn.value("order_folio"))
        turn.expect(Awaiting.DELIVERY_DETAILS, Task.FULFILLMENT)
        return say(
            "Claro, te ayudo a moverla. ¿Qué día y en qué horario te queda mejor (mañana o tarde)?"
        )
    if turn.has(CommandKind.SMALL_TALK) and not acts.MINE.search(turn.text):
        return say(t.small_talk(str(turn.command(CommandKind.SMALL_TALK).value)))  # type: ignore[union-attr]
    folio = turn.value("order_folio")
    if folio is None and state.slots.order_folio and acts.THAT_ORDER.search(turn.text):
        folio = state.slots.order_folio  # "¿y ese de cuánto es?": the order we just talked about
    state.task = Task.ORDER_STATUS
    return call("get_order_status", folio=folio)
