"""The sales flow: find tires, quote, reserve, and repair the purchase as the customer changes it.

Runs deterministically on the dialogue state. Each customer message arrives as commands; a
correction changes its slot and redoes what depended on it, a cancellation undoes the write, a
digression is answered and the task resumes at the question it was waiting on.
"""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline.flows import orders
from adapters.llm.offline.flows.state import apply_commands, search_changed
from adapters.llm.offline.nlu import acts
from adapters.llm.offline.templates import catalog as tc
from adapters.llm.offline.templates import common as t
from adapters.llm.offline.templates import orders as to
from adapters.llm.offline.templates import support as ts
from adapters.llm.offline.turn import Outcome, Turn, call, say
from adapters.llm.offline.understand import (
    asks_about_brand,
    choice_sku,
    wants_other_option,
    wants_reservation_now,
)
from domain.dialogue import (
    DEFAULT_QUANTITY,
    Awaiting,
    CommandKind,
    HandoffReason,
    Task,
    Topic,
)
from domain.tool_results import Branches, PaymentOptions, Quote, ServicePrices, TireOptions

SEARCHES = ("find_tires_for_vehicle", "search_tires")


def sell(turn: Turn) -> AIMessage:
    """The sales agent's move for this model call."""
    if turn.outcomes:
        return after(turn)
    return decide(turn)


# --- a new customer message ----------------------------------------------------------------


def decide(turn: Turn) -> AIMessage:
    """The next move for a new customer message."""
    state = turn.state
    slots = state.slots
    awaiting = state.awaiting
    changed = apply_commands(state, turn.commands)

    if acts.HEAVY_TRUCK.search(turn.text):
        turn.expect(Awaiting.HANDOFF_CONFIRM, Task.QUOTE)
        return say(
            "Uy, llantas de camión de carga (rin 22.5 y más) no manejamos 🙏 Lo nuestro son autos, "
            "SUV, pickups y comerciales ligeros. ¿Quieres que un asesor te oriente o te recomiende "
            "dónde conseguirlas?"
        )
    if turn.has(CommandKind.CANCEL):
        return orders.cancel(turn)
    clarify = turn.command(CommandKind.CLARIFY)
    if clarify is not None and clarify.slot == "vehicle.trim" and slots.offers:
        size = slots.offers[0].size
        turn.expect(Awaiting.OPTION, Task.QUOTE)
        return say(
            f"Va: la versión básica usa {size}, que es la medida de las opciones que te pasé 👆 "
            "Si al ver el costado de tu llanta dice otra medida, me la pasas. "
            + ("¿Cuál te late más? " + _offer_names(turn)).strip()
        )
    if clarify is not None and slots.folio:
        turn.expect(Awaiting.CANCEL_CONFIRM, Task.RESERVATION)
        return say(
            f"¿Quieres que cancele tu apartado {slots.folio}? Si es otra cosa, dime y lo vemos 🙂"
        )
    talk = turn.command(CommandKind.SMALL_TALK)
    if talk is not None and talk.value == "later":
        turn.expect(Awaiting.NOTHING)
        held = (
            f" Tu apartado {slots.folio} sigue vigente; el link de pago te sirve mientras tanto."
            if slots.folio
            else ""
        )
        return say(f"¡Claro! Tómate tu tiempo 🙂{held} Aquí estoy cuando decidas.")
    if turn.has(CommandKind.HANDOFF):
        if orders.technical(turn):
            return orders.handoff(
                turn, "Revisión técnica solicitada por el cliente", HandoffReason.TECHNICAL
            )
        return orders.handoff(
            turn, "El cliente pidió hablar con un asesor", HandoffReason.CUSTOMER_ASKED
        )
    pending = orders.answer_pending(turn, awaiting, changed)
    if pending is not None:
        return pending
    if (
        slots.folio
        and not search_changed(changed)
        and ("quantity" in changed or "chosen_sku" in changed)
        and turn.intent not in ("tire_quote", "product_search")
    ):
        return orders.change_purchase(turn, changed)
    if search_changed(changed):
        return search(turn)
    asks_hold = any(
        c.kind == CommandKind.START_TASK and c.task == Task.RESERVATION and c.value != "modify"
        for c in turn.commands
    )
    wants_hold = asks_hold or (
        awaiting == Awaiting.RESERVE_CONFIRM and turn.has(CommandKind.CONFIRM)
    )
    if slots.chosen_sku and (
        wants_hold
        or ("chosen_sku" in changed and (wants_reservation_now(turn.analysis) or _picks_up(turn)))
    ):
        # The reservation's reply says how long the hold lasts and carries the link, so the
        # questions asked with the "sí" are answered too.
        return reserve(turn)
    if slots.chosen_sku and "chosen_sku" in changed and not slots.folio:
        # "la Continental, ¿ya con instalación?": the quote answers it (installation included).
        return quote(turn, slots.chosen_sku)
    digression = orders.digression(turn)
    if digression is not None:
        return digression
    if turn.starts(Task.QUOTE) and not slots.offers:
        return search(turn)
    if "quantity" in changed and slots.offers and not slots.chosen_sku:
        return search(turn)  # the same options for the new quantity
    if "quantity" in changed and slots.chosen_sku:
        return quote(turn, slots.chosen_sku)
    if slots.chosen_sku and ("chosen_sku" in changed or awaiting == Awaiting.OPTION):
        return quote(turn, slots.chosen_sku)
    if wants_hold:
        if slots.offers:
            turn.expect(Awaiting.OPTION, Task.QUOTE)
            return say("¡Va! ¿Cuál te aparto? " + _offer_names(turn))
        turn.expect(Awaiting.VEHICLE, Task.QUOTE)
        return say(t.ASK_VEHICLE)
    if turn.has(CommandKind.DENY) and awaiting in (
        Awaiting.RESERVE_CONFIRM, Awaiting.OPTION, Awaiting.CHANGE_CONFIRM
    ):  # fmt: skip
        turn.expect(Awaiting.NOTHING)
        return say(
            "Sin problema 🙂 Si quieres ver otra marca, medida o cantidad, dime y te cotizo."
        )
    if wants_other_option(turn.analysis) and slots.offers:
        other = _other_offer(turn)
        if other is not None:
            slots.chosen_sku = other
            return quote(turn, other)
    if turn.starts(Task.QUOTE) or awaiting in (Awaiting.VEHICLE, Awaiting.YEAR, Awaiting.TRIM):
        return search(turn)
    if turn.has(CommandKind.SMALL_TALK):
        kind = str(turn.command(CommandKind.SMALL_TALK).value)  # type: ignore[union-attr]
        return say(t.with_resume(t.small_talk(kind), state))
    if awaiting == Awaiting.OPTION and slots.offers:
        return say("¿Cuál te late más? " + _offer_names(turn))
    question = t.resume_question(state)
    if question:
        return say(f"Perdón, no te entendí bien. {question}")
    if turn.intent == "financing":
        turn.expect(Awaiting.VEHICLE, Task.QUOTE)
        return say(
            "Sí manejamos meses sin intereses 💳 ¿Para qué auto y año son las llantas? Así te cotizo."
        )
    if turn.intent in ("tire_quote", "product_search"):
        turn.expect(Awaiting.VEHICLE, Task.QUOTE)
        return say(t.ASK_VEHICLE)
    return say(t.ANYTHING_ELSE)


def _other_offer(turn: Turn) -> str | None:
    """ "¿Y la otra?" / "algo más barato": the next option, or a cheaper one."""
    slots = turn.state.slots
    current = slots.offer(slots.chosen_sku)
    if "barat" in turn.text or "economic" in turn.text:
        cheaper = [
            o
            for o in slots.offers
            if current is None or o.unit_price_cents < current.unit_price_cents
        ]
        return min(cheaper, key=lambda o: o.unit_price_cents).sku if cheaper else None
    others = [o for o in slots.offers if o.sku != slots.chosen_sku]
    return others[0].sku if others else None


def _picks_up(turn: Turn) -> bool:
    """ "me interesa la Continental, ¿mañana las recojo?": choosing with a pickup day is a yes."""
    return any(
        c.slot in ("fulfillment.mode", "fulfillment.day")
        for c in turn.commands
        if c.kind in (CommandKind.SET_SLOT, CommandKind.CORRECT_SLOT)
    )


def _offer_names(turn: Turn) -> str:
    offers = turn.state.slots.offers
    brands = [o.brand for o in offers]
    names = [
        f"la {o.brand} {o.line}" if brands.count(o.brand) > 1 else f"la {o.brand}" for o in offers
    ]
    if len(names) > 1:
        return "¿" + ", ".join(names[:-1]) + " o " + names[-1] + "?"
    return ""


def search(turn: Turn) -> AIMessage:
    """Search for the vehicle or size we know; ask for what is missing."""
    slots = turn.state.slots
    quantity = slots.quantity or DEFAULT_QUANTITY
    filters = {
        "brand": slots.brand,
        "terrain": slots.terrain.value if slots.terrain else None,
        "run_flat": slots.run_flat,
        "light_truck": slots.light_truck,
        "max_unit_price_pesos": slots.max_unit_price_pesos,
    }
    vehicle = slots.vehicle
    if vehicle.model and vehicle.year:
        return call(
            "find_tires_for_vehicle",
            make=vehicle.make,
            model=vehicle.model,
            year=vehicle.year,
            trim=vehicle.trim,
            quantity=quantity,
            **filters,
        )
    if slots.size:
        return call("search_tires", size=slots.size, quantity=quantity, **filters)
    if vehicle.model and not vehicle.year:
        turn.expect(Awaiting.YEAR, Task.QUOTE)
        return say(tc.ask_year(vehicle.model))
    if (turn.entities.vehicle is not None and turn.entities.vehicle.year) or re.search(
        r"\b(?:19[89]\d|20[0-3]\d)\b", turn.text
    ):
        turn.expect(Awaiting.VEHICLE, Task.QUOTE)
        return say(tc.unknown_vehicle("ese auto"))
    if slots.rim:
        turn.expect(Awaiting.VEHICLE, Task.QUOTE)
        return say(
            f"En rin {slots.rim} manejo varias medidas 🙂 ¿Me pasas la medida completa que viene en "
            "el costado (ej. 185/65R15) o tu auto y año? Así te doy precios exactos."
        )
    turn.expect(Awaiting.VEHICLE, Task.QUOTE)
    if turn.intent == "financing":
        return say(
            "Sí manejamos meses sin intereses 💳 ¿Para qué auto y año son las llantas? Así te cotizo."
        )
    return say(t.ASK_VEHICLE)


def quote(turn: Turn, sku: str) -> AIMessage:
    """Quote the chosen tire for the quantity asked."""
    quantity = turn.state.slots.quantity or DEFAULT_QUANTITY
    return call("quote_tires", sku=sku, quantity=quantity)


def reserve(turn: Turn) -> AIMessage:
    """Hold the chosen tire (the tool modifies the open reservation instead of adding one)."""
    slots = turn.state.slots
    f = slots.fulfillment
    return call(
        "create_reservation",
        sku=slots.chosen_sku,
        quantity=slots.quantity or DEFAULT_QUANTITY,
        branch_code=slots.branch,
        fulfillment=f.mode.value if f.mode else None,
        pickup_date=f.day.isoformat() if f.day else None,
    )


# --- after a tool result -------------------------------------------------------------------------


def after(turn: Turn) -> AIMessage:
    """Reply from this turn's latest tool result, or chain one more call."""
    outcome = turn.last
    assert outcome is not None
    state = turn.state
    if outcome.error is not None:
        return _refusal(turn, outcome.tool, outcome.error)
    options = outcome.get(TireOptions)
    if options is not None:
        _remember_offers(turn, options)
        if not options.options:
            turn.expect(Awaiting.NOTHING, Task.QUOTE)
            return say(tc.options(options))
        trim = _trim_for_rim(turn, options)
        if trim is not None:
            state.slots.vehicle.trim = trim
            return search(turn)
        chosen = None if asks_about_brand(turn.analysis) else _brand_pick(turn, options)
        if (
            chosen is not None
            and (wants_reservation_now(turn.analysis) or _picks_up(turn))
            and turn.can("create_reservation")
        ):
            state.slots.chosen_sku = chosen
            return reserve(turn)
        if (
            chosen is not None
            and (
                turn.intent == "select_option"
                or state.awaiting in (Awaiting.OPTION, Awaiting.RESERVE_CONFIRM)
            )
            and not turn.called("quote_tires")
        ):
            # "la Continental" when we had not listed one: that brand's best option, quoted.
            state.slots.chosen_sku = chosen
            return quote(turn, chosen)
        if state.slots.vehicle.model and not options.trim_known and options.trims:
            state.slots.trims = [tr.trim for tr in options.trims]
        picked = (
            choice_sku(turn.analysis, state.slots, Awaiting.OPTION)
            if (turn.entities.choice or turn.entities.brands)
            else None
        )
        if picked is not None and not turn.called("quote_tires"):
            # "4 llantas 195/65R15 las económicas": the choice was made before the options.
            state.slots.chosen_sku = picked
            if wants_reservation_now(turn.analysis) and turn.can("create_reservation"):
                return reserve(turn)
            return quote(turn, picked)
        turn.expect(Awaiting.OPTION, Task.QUOTE)
        return _with_info(turn, tc.options(options, greet=_greets(turn), rim=state.slots.rim))
    quoted = outcome.get(Quote)
    if quoted is not None:
        state.slots.chosen_sku = quoted.sku
        state.slots.quantity = quoted.quantity
        if state.slots.folio:
            if (
                orders.decided_change(turn)
                and turn.can("change_reservation")
                and not turn.called("change_reservation")
            ):
                return call("change_reservation", quantity=quoted.quantity, sku=quoted.sku)
            turn.expect(Awaiting.CHANGE_CONFIRM, Task.RESERVATION)
            return say(tc.quote(quoted, changing_folio=state.slots.folio))
        turn.expect(Awaiting.RESERVE_CONFIRM, Task.QUOTE)
        return _with_info(turn, tc.quote(quoted))
    primary = next(
        (o for o in reversed(turn.outcomes) if isinstance(o.result, (TireOptions, Quote))), None
    )
    if primary is not None and outcome.tool in INFO_TOOLS.values():
        return _compose(turn, primary)
    return orders.after(turn)


INFO_TOOLS = {
    Topic.BRANCHES: "get_branches",
    Topic.SERVICES: "get_service_prices",
    Topic.PAYMENT_METHODS: "get_payment_options",
}


def _with_info(turn: Turn, text: str) -> AIMessage:
    """A run-on message also asked about hours, services or payment: fetch that too."""
    for topic in turn.topics():
        tool = INFO_TOOLS.get(topic)
        if tool and turn.can(tool) and not turn.called(tool):
            return call(tool)
    return say(text)


def _compose(turn: Turn, primary: Outcome) -> AIMessage:
    """The main answer (options or quote) followed by the extra information asked for."""
    state = turn.state
    options, quoted = primary.get(TireOptions), primary.get(Quote)
    if options is not None:
        main = tc.options(options, greet=_greets(turn))
        turn.expect(Awaiting.OPTION, Task.QUOTE)
    elif quoted is not None:
        main = tc.quote(quoted)
        turn.expect(Awaiting.RESERVE_CONFIRM, Task.QUOTE)
    else:
        main = ""
    extras = []
    for outcome in turn.outcomes:
        if outcome is primary or outcome.result is None:
            continue
        branches = outcome.get(Branches)
        if branches is not None:
            extras.append(tc.branches(branches, state.slots.branch))
        services = outcome.get(ServicePrices)
        if services is not None:
            extras.append(tc.services(services))
        payments = outcome.get(PaymentOptions)
        if payments is not None:
            asked = next(
                (c.value for c in turn.commands if c.kind == CommandKind.DIGRESS and c.value), None
            )
            extras.append(to.payment_options(payments, asked))
    return say("\n\n".join([main, *extras]).strip())


def _refusal(turn: Turn, tool: str, error: str) -> AIMessage:
    if tool == "find_tires_for_vehicle":
        v = turn.state.slots.vehicle
        detail = f"{v.model} {v.year}" if v.model and v.year else "ese auto"
        turn.state.slots.vehicle.model = None
        turn.expect(Awaiting.VEHICLE, Task.QUOTE)
        return say(tc.unknown_vehicle(detail))
    return orders.refusal(turn, tool, error)


def _rim(size: str) -> int | None:
    match = re.search(r"R(\d{2})", size)
    return int(match[1]) if match else None


def _trim_for_rim(turn: Turn, result: TireOptions) -> str | None:
    """ "Jetta 2020 rin 17": the trim whose size has that rim, searched once."""
    rim = turn.state.slots.rim
    if (
        rim is None
        or result.vehicle is None
        or result.trim_known
        or _rim(result.size) == rim
        or turn.called("find_tires_for_vehicle")
        and len([o for o in turn.outcomes if o.tool == "find_tires_for_vehicle"]) > 1
    ):
        return None
    return next((t.trim for t in result.trims if _rim(t.size) == rim), None)


def _remember_offers(turn: Turn, result: TireOptions) -> None:
    """What the search settled beyond the options (the tool records those): the vehicle as the
    fitment table names it, and a choice that is no longer on offer."""
    slots = turn.state.slots
    if result.vehicle is not None:
        slots.vehicle.make = result.vehicle.make
        slots.vehicle.model = result.vehicle.model
        slots.vehicle.year = result.vehicle.year
        if result.vehicle.trim:
            slots.vehicle.trim = result.vehicle.trim
    if slots.chosen_sku and slots.offer(slots.chosen_sku) is None:
        slots.chosen_sku = None


def _brand_pick(turn: Turn, result: TireOptions) -> str | None:
    """A brand the customer asked for, found by a brand search: its best option."""
    if not result.brand or not result.options:
        return None
    return result.options[0].sku


def _greets(turn: Turn) -> bool:
    return turn.state.turns <= 1 and turn.text.startswith(("hola", "buen", "que tal"))


def answers_topic(turn: Turn, topic: Topic) -> bool:
    """Whether this message asked about ``topic``."""
    return topic in turn.topics()


__all__ = ["sell", "ts"]
