"""The logistics flow: a customer's home delivery (when it arrives, who brings it, moving it,
pickup instead, a new address, the fee, the survey) and staff dispatch (plans, late deliveries,
trucks, the day's figures). What it does not own (order status in general, choosing pickup or
home installation for a new order, a hand-off) goes on to the order-status flow.

It keeps its state in ``slots.delivery``: the windows offered (so "la de la tarde", "la
primera" or "el jueves mejor" pick one), the window a move replaced (so "no, déjalo como
estaba" puts it back), what was asked while we find out which order, and the staff's question
(so "¿y en Monterrey?" asks it again for another branch).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from langchain_core.messages import AIMessage

from adapters.llm.offline import delivery_understand as du
from adapters.llm.offline.flows import others
from adapters.llm.offline.nlu import acts
from adapters.llm.offline.templates import common as t
from adapters.llm.offline.templates import logistics as tl
from adapters.llm.offline.turn import Outcome, Turn, call, say
from domain.clock import to_mexico
from domain.delivery_results import (
    DeliveryChanged,
    DeliveryCost,
    DeliveryKpis,
    DeliveryLookup,
    DeliveryWindows,
    FleetStatus,
    LateDeliveries,
    RoutesPlanned,
    SurveyRecorded,
)
from domain.diagnosis import diagnose
from domain.dialogue import AgentName, Awaiting, CommandKind, PersonaRole, Task, TimeWindow

CUSTOMER_TOOLS = frozenset({
    "get_delivery_status", "find_delivery_windows", "reschedule_delivery",
    "switch_delivery_to_pickup", "change_delivery_address", "get_delivery_cost",
    "record_delivery_survey",
})  # fmt: skip


def logistics(turn: Turn) -> AIMessage:
    """Route a logistics model call: staff to dispatch, deliveries here, the rest on."""
    if turn.role == PersonaRole.STAFF:
        return dispatch(turn)
    if turn.outcomes:
        last = turn.last
        assert last is not None
        if last.tool in CUSTOMER_TOOLS:
            return _after(turn, last)
        return others.logistics(turn)
    reply = _customer(turn)
    return reply if reply is not None else others.logistics(turn)


def in_delivery(turn: Turn) -> bool:
    """The conversation is about a delivery right now."""
    state = turn.state
    return state.task == Task.DELIVERY or state.awaiting in (
        Awaiting.DELIVERY_WINDOW, Awaiting.DELIVERY_ADDRESS,
    )  # fmt: skip


def claims(turn: Turn) -> bool:
    """The supervisor's question: is this message for the logistics agent's delivery flow?"""
    e = turn.entities
    if e.sizes or (e.vehicle is not None and e.vehicle.model):
        return False
    state = turn.state
    ask = du.read(turn.analysis, in_delivery=in_delivery(turn))
    if (
        ask.ask is None
        and state.agent == AgentName.LOGISTICS
        and state.slots.delivery.ask == du.Ask.COST.value
        and du.names_zone(turn.analysis.text)
        and len(turn.text.split()) <= 6
    ):
        return True  # "¿y a Polanco?" after a delivery fee
    if ask.ask is None and du.PICKUP.search(turn.text) and not state.slots.folio and (
        state.task not in (Task.QUOTE, Task.RESERVATION)
    ):
        return True  # "mejor yo paso por ellas": an order of theirs from before
    trouble = turn.intent in ("tire_problem", "warranty_claim", "tire_care") or bool(
        diagnose(turn.text)
    )
    if ask.ask in (du.Ask.RESCHEDULE, du.Ask.PICKUP, du.Ask.ADDRESS, du.Ask.DRIVER) and trouble:
        return False  # "la de adelante del lado del chofer se baja": a tire problem
    if ask.ask is not None:
        if ask.ask in (du.Ask.COST,) and turn.state.agent is not None and turn.state.awaiting not in (
            Awaiting.NOTHING, Awaiting.DELIVERY_WINDOW, Awaiting.DELIVERY_ADDRESS,
        ):  # fmt: skip
            return False  # a question in the middle of a purchase stays with it
        # The open reservation's own visit, pickup or address: sales arranges it.
        selling = turn.state.slots.folio is not None or (
            state.agent == AgentName.SALES
            and state.task in (Task.QUOTE, Task.RESERVATION, Task.FULFILLMENT)
        )
        return not (ask.ask in (du.Ask.RESCHEDULE, du.Ask.PICKUP, du.Ask.ADDRESS) and selling)
    return survey(turn) is not None


def staff_claims(turn: Turn) -> bool:
    """A staff message about dispatch (plans, late deliveries, trucks, on-time figures)."""
    return du.staff_ask(turn.analysis) is not None


def survey(turn: Turn) -> int | None:
    """A survey answer, when nothing else in the conversation is waiting for a number."""
    if turn.state.awaiting not in (Awaiting.NOTHING,) or turn.entities.folios:
        return None
    if turn.state.task in (Task.QUOTE, Task.RESERVATION, Task.INVOICE):
        return None
    return du.survey_score(turn.analysis)


def _offers(turn: Turn) -> list[tuple[date, TimeWindow]]:
    out = []
    for raw in turn.state.slots.delivery.offers:
        day, window = raw.split(":")
        out.append((date.fromisoformat(day), TimeWindow(window)))
    return out


def _move(turn: Turn, day: date, window: TimeWindow, folio: str | None) -> AIMessage:
    return call("reschedule_delivery", day=day.isoformat(), window=window.value, folio=folio)


def _customer(turn: Turn) -> AIMessage | None:
    state, slots = turn.state, turn.state.slots
    ds = slots.delivery
    e = turn.entities
    folio = e.folios[0] if e.folios else None
    # The logistics agent already has the conversation: a bare "mejor el jueves" is about it.
    ask = du.read(turn.analysis, in_delivery=True)
    if ask.ask is None and ds.ask == du.Ask.COST.value and du.names_zone(turn.analysis.text):
        ask = du.DeliveryAsk(du.Ask.COST, None, None, None)  # "¿y a Polanco?"
    score = survey(turn)
    if score is not None and ask.ask in (None, du.Ask.DRIVER, du.Ask.ETA, du.Ask.STATUS):
        comment = turn.analysis.text.strip()
        return call("record_delivery_survey", score=score,
                    comment=comment if len(comment.split()) > 1 else None)  # fmt: skip
    if state.awaiting == Awaiting.DELIVERY_WINDOW:
        picked = du.pick_offer(turn.analysis, _offers(turn))
        if picked is False or (
            picked is None and turn.has(CommandKind.DENY) and not (ask.day or ask.window)
        ):
            turn.expect(Awaiting.NOTHING, Task.DELIVERY)
            ds.offers, ds.day, ds.window = [], None, None
            return say(tl.KEEP)
        if isinstance(picked, int) and not isinstance(picked, bool):
            day, window = _offers(turn)[picked]
            return _move(turn, day, window, folio)
        if ask.day or ask.window:
            ask = du.DeliveryAsk(du.Ask.RESCHEDULE, ask.day, ask.window, None)
    if state.awaiting == Awaiting.DELIVERY_ADDRESS and not turn.has(CommandKind.DENY):
        address = du.address_in(turn.analysis, expected=True) or ask.address
        if address:
            return call("change_delivery_address", address=address, folio=folio)
    if state.awaiting == Awaiting.ORDER_CHOICE and state.task == Task.DELIVERY and ds.ask:
        chosen = turn.value("order_folio")
        if chosen:
            return _ask(turn, du.DeliveryAsk(du.Ask(ds.ask), ds.day, ds.window, None), chosen)
    if ask.ask is None:
        return None
    return _ask(turn, ask, folio)


def _ask(turn: Turn, ask: du.DeliveryAsk, folio: str | None) -> AIMessage:
    state, ds = turn.state, turn.state.slots.delivery
    kind = ask.ask
    assert kind is not None
    state.task = Task.DELIVERY
    ds.ask = kind.value
    if kind == du.Ask.UNDO:
        if ds.previous is None:
            turn.expect(Awaiting.NOTHING, Task.DELIVERY)
            return say(tl.NOTHING_TO_UNDO)
        day, window = ds.previous.split(":")
        return _move(turn, date.fromisoformat(day), TimeWindow(window), folio)
    if kind == du.Ask.RESCHEDULE:
        if ask.day and ask.window:
            return _move(turn, ask.day, ask.window, folio)
        ds.day, ds.window = ask.day, ask.window
        return call("find_delivery_windows", folio=folio,
                    day=ask.day.isoformat() if ask.day else None)  # fmt: skip
    if kind == du.Ask.PICKUP:
        ds.day = ask.day
        e = turn.entities
        return call("switch_delivery_to_pickup", folio=folio,
                    day=ask.day.isoformat() if ask.day else None,
                    branch=e.branches[0] if e.branches else None)  # fmt: skip
    if kind == du.Ask.ADDRESS:
        if ask.address:
            return call("change_delivery_address", address=ask.address, folio=folio)
        turn.expect(Awaiting.DELIVERY_ADDRESS, Task.DELIVERY)
        return say(tl.ASK_ADDRESS)
    if kind == du.Ask.COST:
        zoned = du.names_zone(turn.analysis.text)
        address = ask.address or (turn.analysis.text if zoned else None)
        return call("get_delivery_cost", address=address, folio=folio if not address else None)
    return call("get_delivery_status", folio=folio)


def _after(turn: Turn, outcome: Outcome) -> AIMessage:
    state, slots = turn.state, turn.state.slots
    ds = slots.delivery
    if outcome.error is not None:
        return _refused(turn, outcome)
    lookup = outcome.get(DeliveryLookup)
    if lookup is not None:
        if lookup.delivery is None:
            slots.order_choices = {c.folio: c.description for c in lookup.candidates}
            turn.expect(Awaiting.ORDER_CHOICE, Task.DELIVERY)
            lines = ["Tienes varios pedidos activos:"]
            lines += [f"• {c.folio}: {c.description}" for c in lookup.candidates]
            lines.append("¿De cuál me preguntas?")
            return say("\n".join(lines))
        view = lookup.delivery
        slots.order_folio = view.folio
        if view.status is None and not turn.called("get_order_status"):
            # No delivery to tell about (a reservation, a pickup order): the order's status.
            state.task = Task.ORDER_STATUS
            return call("get_order_status", folio=view.folio)
        if view.late:
            turn.expect(Awaiting.HANDOFF_CONFIRM, Task.ORDER_STATUS)
        else:
            turn.expect(Awaiting.NOTHING, Task.DELIVERY)
        return say(tl.delivery(view, driver_only=ds.ask == du.Ask.DRIVER.value))
    found = outcome.get(DeliveryWindows)
    if found is not None:
        slots.order_folio = found.folio
        start = found.current.window_start
        current_day = to_mexico(start).date() if start else None
        target = ds.day or current_day  # "mejor en la tarde": the same day, later
        if ds.window is not None and target and not turn.called("reschedule_delivery"):
            hit = next((w for w in found.windows if (w.day, w.window) == (target, ds.window)), None)
            if hit is not None:
                return _move(turn, hit.day, hit.window, found.folio)
            asked = sum(o.tool == "find_delivery_windows" for o in turn.outcomes)
            if found.day is None and asked < 2 and all(w.day != target for w in found.windows):
                return call("find_delivery_windows", folio=found.folio, day=target.isoformat())
        ds.offers = [f"{w.day.isoformat()}:{w.window.value}" for w in found.windows]
        turn.expect(Awaiting.DELIVERY_WINDOW, Task.DELIVERY)
        return say(tl.windows(found.folio, found.windows, asked=found.day is not None))
    done = outcome.get(DeliveryChanged)
    if done is not None:
        slots.order_folio = done.folio
        if done.change == "rescheduled" and done.previous_day and done.previous_window:
            undoing = ds.ask == du.Ask.UNDO.value
            ds.previous = (
                None if undoing else f"{done.previous_day.isoformat()}:{done.previous_window.value}"
            )
        ds.offers, ds.day, ds.window = [], None, None
        turn.expect(Awaiting.NOTHING, Task.DELIVERY)
        return say(tl.changed(done))
    cost = outcome.get(DeliveryCost)
    if cost is not None:
        turn.expect(state.awaiting if state.awaiting != Awaiting.DELIVERY_WINDOW else Awaiting.NOTHING)
        return say(t.with_resume(tl.cost(cost), state))
    rated = outcome.get(SurveyRecorded)
    if rated is not None:
        turn.expect(Awaiting.NOTHING, Task.DELIVERY)
        return say(tl.surveyed(rated))
    return say(t.ASK_AGAIN)


def _refused(turn: Turn, outcome: Outcome) -> AIMessage:
    state, ds = turn.state, turn.state.slots.delivery
    error = outcome.error or ""
    if outcome.tool == "record_delivery_survey":
        state.task = Task.NONE
        return say(tl.PRAISE_THANKS if turn.intent != "greeting" else t.small_talk("greeting"))
    if "no tiene entrega a domicilio" in error and outcome.tool != "get_delivery_cost":
        # No delivery row yet (a reservation, a pickup order, a home visit still being
        # arranged): choosing how and when is the order's fulfilment, as before.
        ds.ask = None
        return others.logistics(replace(turn, outcomes=[]))
    if "ya salió" in error:
        turn.expect(Awaiting.HANDOFF_CONFIRM, Task.ORDER_STATUS)
        return say(error)
    if outcome.tool == "change_delivery_address" and "colonia" in error:
        turn.expect(Awaiting.DELIVERY_ADDRESS, Task.DELIVERY)
        return say(error)
    if outcome.tool == "reschedule_delivery" and not turn.called("find_delivery_windows"):
        day = outcome.args.get("day")
        ds.window = None
        return call("find_delivery_windows", folio=outcome.args.get("folio"), day=day)
    if "varios pedidos" in error or "cuál" in error:
        turn.expect(Awaiting.ORDER_CHOICE, Task.DELIVERY)
    else:
        turn.expect(Awaiting.NOTHING, state.task)
    return say(error)


# --- staff dispatch --------------------------------------------------------------------------


_FOLLOW_UP_START = ("y ", "e ", "ahora ", "ok y ", "tambien ", "va y ", "y en ", "y de ")


def dispatch(turn: Turn) -> AIMessage:
    """Staff: plan a day, late deliveries, trucks, the day's figures; follow-ups keep the
    question and change what they name."""
    state, slots = turn.state, turn.state.slots
    ds = slots.delivery
    if turn.outcomes:
        outcome = turn.last
        assert outcome is not None
        turn.expect(Awaiting.NOTHING, Task.DISPATCH)
        if outcome.error is not None:
            return say(outcome.error)
        for kind, render in (
            (RoutesPlanned, tl.planned), (LateDeliveries, tl.late), (FleetStatus, tl.fleet),
            (DeliveryKpis, tl.kpis),
        ):  # fmt: skip
            result = outcome.get(kind)
            if result is not None:
                return say(render(result))  # type: ignore[arg-type]
        return others.logistics(turn)
    asked = du.staff_ask(turn.analysis)
    text = turn.text
    e = turn.entities
    follow_up = ds.question is not None and (
        text.startswith(_FOLLOW_UP_START) or len(text.split()) <= 4
    )
    if asked is None and not follow_up:
        if turn.intent == "route_planning" and "ruta" in du.fixed(turn.analysis):
            asked = du.StaffAsk.PLAN
        elif e.folios:
            return others.logistics(turn)  # an order by folio
        else:
            turn.expect(Awaiting.NOTHING, Task.DISPATCH)
            return say(tl.STAFF_MENU)
    previous = du.StaffAsk(ds.question) if ds.question else None
    question = asked or previous or du.StaffAsk.KPIS
    branch = e.branches[0] if e.branches else (slots.staff.branch if follow_up else None)
    day = e.when.date() if e.when is not None and acts.DATE_WORDS.search(text) else None
    if re.search(r"\bayer\b", text):
        day = turn.now.date() - timedelta(days=1)
    if day is None and follow_up and asked in (None, previous):
        day = ds.question_day
    vehicle = du.vehicle_named(turn.analysis) or (
        ds.question_vehicle if follow_up and not e.branches else None
    )
    ds.question, ds.question_day, ds.question_vehicle = question.value, day, vehicle
    slots.staff.branch = branch
    state.task = Task.DISPATCH
    if question == du.StaffAsk.PLAN:
        day = day or turn.now.date() + timedelta(days=1)
        ds.question_day = day
        return call("plan_delivery_routes", day=day.isoformat(), branch=branch)
    if question == du.StaffAsk.LATE:
        return call("list_late_deliveries", branch=branch)
    if question == du.StaffAsk.FLEET:
        return call("get_vehicle_status", vehicle=vehicle, branch=branch,
                    day=day.isoformat() if day else None)  # fmt: skip
    return call("get_delivery_kpis", day=day.isoformat() if day else None, branch=branch)

