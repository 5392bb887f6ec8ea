"""The sales policy: ask for what is missing, search, quote, and reserve only after a yes."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import AIMessage

from adapters.llm.offline import templates as t
from adapters.llm.offline.brain import Turn, call, parse_result, say

SEARCHES = ("find_tires_for_vehicle", "search_tires")
ORDER = ("recommended", "economical", "premium")
CHOOSING = frozenset({"select_option", "reserve", "affirm", "financing"})
RESERVE_OFFER = "Te las aparto"  # our quote's closing question; a "sí" after it means reserve
INSTALL_QUESTION = "vienes al taller"  # our reservation's closing question
GREETINGS = ("hola", "buen", "que tal", "qué tal")


def _greets(turn: Turn) -> bool:
    return turn.analysis.normalized.startswith(GREETINGS) and not turn.earlier


def names_product(turn: Turn) -> bool:
    """The message names a vehicle or a size of its own."""
    return bool(turn.entities.sizes or turn.entities.vehicle)


def _choose(turn: Turn, offered: dict[str, Any]) -> dict[str, Any] | None:
    """The option the customer refers to: by brand, by "la más barata"/"la primera", or "esa"."""
    groups: dict[str, dict[str, Any]] = offered.get("options") or {}
    listed: list[dict[str, Any]] = [groups[k] for k in ORDER if k in groups]
    if not listed:
        return None
    for brand in turn.entities.brands:
        for option in listed:
            if option["brand"].lower() == brand.lower():
                return option
    choice = turn.entities.choice
    if choice == "cheapest":
        return min(listed, key=lambda o: o["unit_price_cents"])
    if choice in groups:
        return dict(groups[choice])
    positions = {"first": 0, "second": 1, "third": 2}
    if choice in positions and positions[choice] < len(listed):
        return listed[positions[choice]]
    if len(listed) == 1:
        return listed[0]
    return None


def _quoted(turn: Turn) -> dict[str, Any] | None:
    quote = turn.last_result("quote_tires")
    return quote if quote and RESERVE_OFFER in turn.last_reply() else None


def _wants_reservation(turn: Turn) -> bool:
    if turn.intent == "reserve":
        return True
    e = turn.entities
    if turn.intent == "select_option" and (
        e.fulfillment or e.when or "apart" in turn.analysis.normalized
    ):
        return True
    return turn.intent == "affirm" and RESERVE_OFFER in turn.last_reply()


def _reserve(turn: Turn, sku: str, quantity: int) -> AIMessage:
    when = turn.recent("when")
    branches = turn.recent("branches")
    return call(
        "create_reservation",
        sku=sku,
        quantity=quantity,
        pickup_date=when.date().isoformat() if when else None,
        fulfillment=turn.recent("fulfillment") or "pickup",
        branch_code=branches[0] if branches else None,
    )


def _installation(turn: Turn, fulfillment: str) -> AIMessage:
    """The answer to "¿a tu casa o al taller?" after a reservation."""
    reservation = turn.last_result("create_reservation")
    if reservation is None:
        return say(t.ASK_AGAIN_SALES)
    if fulfillment == "delivery":
        return call(
            "handoff_to_human",
            reason=f"Instalación a domicilio para el folio {reservation['folio']}",
        )
    return say(t.pickup_confirmation(reservation))


def decide(turn: Turn) -> AIMessage:
    """The next move for a new customer message."""
    intent, e = turn.intent, turn.entities
    if INSTALL_QUESTION in turn.last_reply() and e.fulfillment and not names_product(turn):
        return _installation(turn, e.fulfillment)
    if intent == "human_handoff":
        return call("handoff_to_human", reason="El cliente pidió hablar con un asesor")
    if intent == "order_status" or (e.folios and intent not in ("tire_quote", "product_search")):
        return call("get_order_status", folio=e.folios[0] if e.folios else None)
    if intent == "store_info":
        return call("get_branches")
    if intent == "services" and not e.sizes and not e.vehicle:
        return call("get_service_prices")
    if "gratis" in turn.analysis.normalized and intent in (
        "reserve",
        "select_option",
        "affirm",
        "tire_quote",
    ):
        return say(t.NOT_FREE)
    if intent in ("dealer_terms",) or "descuento" in turn.analysis.normalized:
        return call("get_customer_terms")
    offered = turn.last_result(*SEARCHES)
    quantity = turn.quantity(int(offered.get("quantity", 4)) if offered else 4)
    new_product = bool(e.sizes or e.vehicle)
    if offered is not None and not new_product and e.quantity and intent not in CHOOSING:
        # "siempre no, nomás ocupo 2": the same tire (or the same options) for a new quantity.
        quote = turn.last_result("quote_tires")
        if quote is not None:
            return call("quote_tires", sku=quote["sku"], quantity=e.quantity)
        return call("search_tires", size=offered["size"], quantity=e.quantity)
    if (
        offered is not None
        and not new_product
        and e.brands
        and intent in ("product_search", "tire_quote")
    ):
        # "¿y en Pirelli?": the same size, another brand.
        return call("search_tires", size=offered["size"], brand=e.brands[0], quantity=quantity)
    if (
        offered is not None
        and not new_product
        and intent in ("select_option", "reserve", "affirm", "financing")
    ):
        quoted = _quoted(turn)
        chosen = _choose(turn, offered)
        if chosen is None and e.brands and offered.get("size"):
            # A brand we did not list: look it up in the same size first.
            return call("search_tires", size=offered["size"], brand=e.brands[0], quantity=quantity)
        if _wants_reservation(turn):
            if chosen is not None:
                return _reserve(turn, chosen["sku"], quantity)
            if quoted is not None:
                return _reserve(turn, quoted["sku"], int(quoted["quantity"]))
            return say("¡Va! ¿Cuál te aparto, la recomendada o la económica?")
        if chosen is not None:
            return call("quote_tires", sku=chosen["sku"], quantity=quantity)
        if quoted is not None and intent == "select_option":
            # "esa" right after we quoted one tire and asked to hold it: that tire, held.
            return _reserve(turn, quoted["sku"], int(quoted["quantity"]))
        if intent == "financing":
            # Payment terms need a price: the one they chose, else our recommendation.
            sku = (
                quoted["sku"]
                if quoted
                else (offered.get("options") or {}).get("recommended", {}).get("sku")
            )
            if sku:
                return call("quote_tires", sku=sku, quantity=quantity)
        return say("¿Cuál te late más? Dime la marca o si prefieres la más económica.")
    if intent == "deny":
        return say("Sin problema 🙂 Si quieres ver otra marca o medida, dime y te cotizo.")
    # Earlier vehicles and sizes only count when this message is about finding tires, or
    # answers the question we asked (the year).
    remembering = (
        new_product or intent in ("tire_quote", "product_search") or "año" in turn.last_reply()
    )
    if not remembering:
        return say(t.ASK_AGAIN_SALES)
    size = turn.size()
    if size:
        brand = e.brands[0] if e.brands else None
        budget = e.max_price_pesos
        return call(
            "search_tires", size=size, brand=brand, max_unit_price_pesos=budget, quantity=quantity
        )
    vehicle = turn.vehicle()
    if (
        vehicle is None
        and intent in ("tire_quote", "product_search")
        and re.search(r"\b(19|20)\d\d\b", turn.analysis.text)
    ):
        return say(t.unknown_vehicle("ese auto"))
    if vehicle is not None:
        if vehicle.year is None:
            return say(t.ask_year(vehicle.model or "auto"))
        return call(
            "find_tires_for_vehicle",
            make=vehicle.make,
            model=vehicle.model,
            year=vehicle.year,
            quantity=quantity,
        )
    if intent == "financing":
        return say(
            "Sí manejamos meses sin intereses 💳 ¿Para qué auto y año son las llantas? Así te cotizo."
        )
    if intent == "services":
        return call("get_service_prices")
    return say(t.ASK_VEHICLE)


def answer(turn: Turn, tool: str, content: str) -> AIMessage:
    """Reply from a tool result of this turn (or chain one more call when the plan needs it)."""
    data = parse_result(content)
    if data is None:
        if tool == "find_tires_for_vehicle":
            v = turn.vehicle()
            detail = f"{v.model} {v.year}" if v and v.year else "ese auto"
            return say(t.unknown_vehicle(detail))
        return say(t.tool_error(tool, content))
    if tool in SEARCHES:
        if (
            tool == "search_tires"
            and data.get("brand")
            and data.get("options")
            and _wants_reservation(turn)
        ):
            option = data["options"].get("recommended")
            if option and turn.can("create_reservation"):
                return _reserve(turn, option["sku"], int(data.get("quantity", 4)))
        return say(t.options(data, greet=_greets(turn), deposit_cents=data.get("deposit_cents")))
    if tool == "quote_tires":
        return say(t.quote(data, deposit_cents=data.get("deposit_cents")))
    if tool == "create_reservation":
        return say(t.reservation(data))
    if tool == "get_order_status":
        return say(t.order_status(data))
    if tool == "get_branches":
        return say(t.branches(data))
    if tool == "get_service_prices":
        return say(t.services(data))
    if tool == "get_customer_terms":
        return say(t.customer_terms(data))
    if tool == "handoff_to_human":
        return say(t.handoff(data))
    return say(t.ASK_AGAIN)


def sell(turn: Turn) -> AIMessage:
    """The sales agent's policy."""
    pending = turn.pending_result()
    if pending is not None:
        return answer(turn, *pending)
    return decide(turn)
