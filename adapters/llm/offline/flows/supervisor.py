"""Routing: small talk and refusals here; everything else to the agent that owns it.

A short follow-up stays with the active agent and its task: what the bot just asked
(``awaiting``) is the strongest feature. Routing is role-aware: staff questions never reach the
customer sales flow, and customers never reach staff tools.
"""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline.flows import appointments, kb
from adapters.llm.offline.flows import logistics as deliveries
from adapters.llm.offline.nlu import acts, staff_terms
from adapters.llm.offline.templates import common as t
from adapters.llm.offline.turn import Turn, call, say
from adapters.llm.offline.understand import asks_price
from domain.diagnosis import diagnose
from domain.dialogue import AgentName, Awaiting, CommandKind, PersonaRole, Task, Topic

SALES = frozenset({
    "tire_quote", "product_search", "select_option", "reserve", "financing", "services",
    "store_info", "human_handoff", "cancel", "modify_order", "payment_link", "hold_period",
    "balance", "payment_methods", "invoice", "fulfillment",
})  # fmt: skip
SUPPORT = frozenset({"warranty_claim", "tire_problem", "tire_care"})
STAFF_QUERIES = frozenset({
    "stock_check", "low_stock", "reorder", "demand_forecast", "sales_report", "leads_report",
})  # fmt: skip
STAFF_ONLY = frozenset({
    "low_stock", "reorder", "demand_forecast", "route_planning", "sales_report", "leads_report",
})  # fmt: skip
LOGISTICS = frozenset({"order_status", "delivery_reschedule", "route_planning"})
CONFIDENT = 0.35
# A refusal (injection, abuse, staff-only) needs the classifier to be fairly sure: a folio or a
# year read as "prompt_injection" at 0.15 is a customer we must not turn away.
SURE = 0.5
FREE_TIRES = re.compile(
    r"\b(llantas?|juego)\b.*\b(gratis|regal\w*)\b|\b(gratis|regal\w*)\b.*\bllantas?\b"
)
# Sales owns the open reservation: its money, hold, fulfilment and invoice questions stay there.
SALES_TOPICS = frozenset({
    Topic.HOLD_PERIOD, Topic.PAYMENT_LINK, Topic.BALANCE, Topic.PAYMENT_METHODS, Topic.INVOICE,
    Topic.BRANCH_STOCK, Topic.FINANCING, Topic.TERMS, Topic.FIND_SIZE,
})  # fmt: skip
# Insults and threats get the calm de-escalation, whatever the classifier made of them.
_INSULT = re.compile(
    r"\b(?:pendej\w*|idiota\w*|imbecil\w*|estupid\w*|mierda|rateros?|ratas|ladrones|"
    r"estafador\w*|cabron\w*|chinga\w*|putos?|culeros?|inutiles|los voy a demandar|"
    r"voy a demandar\w*|los demando|profeco)\b"
)
_WANTS_PERSON = re.compile(
    r"\b(?:tecnico|asesor|persona|humano|alguien|revis\w*|llamen|marquen|contacten|llamar|marcar)\b"
)
_STAFF_ANALYTICS = re.compile(
    r"\b(?:se vend\w*|vendid\w*|ventas?|vendemos|vendimos|rotacion|desplaza\w*|mas vendid\w*|"
    r"menos vendid\w*|top \d+|ranking|clientes|prospectos|leads?|pidieron|asesor(?:es)?|"
    r"salen|salida|se mueven|semana|mes|"
    r"existencias?|inventario|cuantas hay|cuantas tenemos|faltantes?|reorden|pronostico)\b"
)


# "¿y el mío?", "ok y ese?": a short follow-up that only makes sense with the last answer.
_FOLLOW_UP = re.compile(
    r"^(?:ok |va |ah |oye |bueno |orale |sale )?(?:y|e) (?:el|la|los|las|mi|mio|mia|mios|ese|esa|"
    r"eso|este|esta|cuanto|cuando|que|como|donde|si|lo|para|pa)\b"
)
_PRICE_QUESTION = re.compile(
    r"\b(?:cuanto|cuantos|precio|precios|cuesta|cuestan|sale|salen|cotiz\w*|tienen|hay|manejan)\b"
)
_BUYS = re.compile(r"\b(?:ocupo|necesito|quiero|busco|cotiza\w*|dame|vendes|venden)\b")
# The spare tire on the car (not one to buy): how far and how long it may run is support's.
_SPARE_ON = re.compile(
    r"\b(?:traigo|tengo|puse|llevo|ando con|voy con)\b.{0,30}"
    r"\b(?:refaccion|galleta|delgadita|llanta temporal|de repuesto)\b"
)
# ... and what the thin spare can take, asked without saying it is on: "¿la galleta hasta cuántos
# km aguanta?" (not "¿cuánto cuesta una galleta?", a sale).
_SPARE_LIMITS = re.compile(
    r"\b(?:galleta|delgadita|llanta temporal|refaccion temporal)\b.{0,40}"
    r"\b(?:aguanta\w*|km|kilometros|velocidad|rapido|cuanto dura|dura|presion|infl\w*)\b"
)
_ORDER_WORDS = re.compile(r"\b(?:pedido|orden|folio|entrega|llega|llegan|apartado|factura)\b")
_STILL = re.compile(
    r"\b(?:sigue|siguen|todavia|aun|otra vez|de nuevo|ya (?:la|las|lo) \w+|como nueva|como nuevas|"
    r"casi no la usa|se ve nueva|se ven nuevas|y ahorita que hago|que hago|refaccion|gato|birlos|"
    r"nunca la he cambiado|como la cambio)\b"
)
_CHANGES = re.compile(
    r"\b(?:cambia\w*|pasa\w*|mueve\w*|muev\w*|recorre\w*|cancel\w*|reprograma\w*)\b"
)
_VAGUE = frozenset(
    {"greeting", "thanks", "goodbye", "small_talk", "out_of_scope", "affirm", "deny"}
)


def _transfer(turn: Turn, agent: AgentName) -> AIMessage:
    name = f"transfer_to_{agent.value}"
    return call(name) if turn.can(name) else say(t.ASK_AGAIN)


def _answers_pending(turn: Turn) -> bool:
    """The message answers what the active agent asked (a short follow-up stays put)."""
    state, e = turn.state, turn.entities
    aw = state.awaiting
    if aw == Awaiting.NOTHING:
        return False
    kinds = {c.kind for c in turn.commands}
    slots = {c.slot for c in turn.commands if c.slot}
    if kinds & {CommandKind.CONFIRM, CommandKind.DENY, CommandKind.CANCEL}:
        return True
    answers = {
        Awaiting.YEAR: {"vehicle.year", "vehicle"},
        Awaiting.TRIM: {"vehicle.trim"},
        Awaiting.VEHICLE: {"vehicle", "size"},
        Awaiting.QUANTITY: {"quantity"},
        Awaiting.OPTION: {"chosen_sku", "brand", "quantity"},
        Awaiting.RESERVE_CONFIRM: {"quantity", "chosen_sku", "fulfillment.mode", "fulfillment.day"},
        Awaiting.CHANGE_CONFIRM: {"quantity", "chosen_sku"},
        Awaiting.INSTALL_CHOICE: {"fulfillment.mode", "fulfillment.day", "fulfillment.window",
                                  "fulfillment.address"},
        Awaiting.DELIVERY_DETAILS: {"fulfillment.address", "fulfillment.day", "fulfillment.window",
                                    "fulfillment.mode"},
        Awaiting.INVOICE_DATA: {"invoice.rfc", "invoice.name", "invoice.regime", "invoice.use",
                                "invoice.zip_code"},
        Awaiting.ORDER_CHOICE: {"order_folio"},
        Awaiting.PURCHASE_CONFIRM: {"quantity"},
        Awaiting.TRANSFER_CONFIRM: {"quantity"},
        Awaiting.FOLIO: {"order_folio"},
    }.get(aw, set())  # fmt: skip
    if slots & answers:
        return True
    if aw in (Awaiting.DELIVERY_WINDOW, Awaiting.DELIVERY_ADDRESS) and not (e.sizes or e.vehicle):
        return True  # "la de la tarde", "mejor el jueves", "Sonora 20, Condesa"
    if aw == Awaiting.APPOINTMENT_TIME and not (e.sizes or e.vehicle or e.folios):
        return True  # "a las 10", "mejor el viernes": the slots we offered
    if aw == Awaiting.RATING and acts.rating(turn.text) is not None:
        return True  # "5, muy bien atendido": the survey's answer
    if aw == Awaiting.SYMPTOM_DETAIL and not (e.sizes or e.vehicle or e.folios or turn.topics()):
        return True  # "dice 1819", "como a dos dedos de la orilla": the diagnosis goes on
    if aw == Awaiting.HANDOFF_CONFIRM and _WANTS_PERSON.search(turn.text):
        return True
    if state.agent == AgentName.SALES and slots - {"order_folio"}:
        return True  # a new quantity, brand, year or day: still the purchase in progress
    short = len(turn.text.split()) <= 4 and not e.sizes and not e.vehicle
    return short and turn.analysis.confidence < 0.6


def supervise(turn: Turn) -> AIMessage:
    """Route the message, or answer it when it is small talk or out of scope."""
    intent, e, state = turn.intent, turn.entities, turn.state
    staff = turn.role == PersonaRole.STAFF
    active = state.agent
    sure = turn.analysis.confidence >= SURE
    if turn.role == PersonaRole.TECHNICIAN:
        # Technicians work their cases with the support agent ("respóndele que ..." quotes the
        # customer, it is no injection); the case tools check the technician's key.
        return _transfer(turn, AgentName.SUPPORT)
    if intent == "prompt_injection" and sure and not (staff and _STAFF_ANALYTICS.search(turn.text)):
        return say(
            t.INJECTION
        )  # staff asking for "la lista de clientes que pidieron asesor" is work
    if staff:
        return _route_staff(turn)
    if active is not None and active != AgentName.SUPERVISOR and _answers_pending(turn):
        return _transfer(turn, active)
    if (intent == "abuse" and sure) or _INSULT.search(turn.text):
        return say(t.ABUSE)
    if FREE_TIRES.search(turn.text):
        return say(t.NOT_FREE)
    if deliveries.claims(turn):
        return _transfer(turn, AgentName.LOGISTICS)  # "CAMBIAR HORA", "¿quién me lo lleva?"
    has_product = bool(e.sizes or e.vehicle or e.brands)
    if intent in STAFF_ONLY and sure and not has_product:
        return say(t.INTERNAL_ONLY)
    topics = set(turn.topics())
    if intent == "human_handoff" and active in (AgentName.SUPPORT, AgentName.LOGISTICS):
        return _transfer(turn, active)
    if (
        "garantia" in turn.text
        or (
            active == AgentName.SUPPORT
            and re.search(r"\b(?:ticket|comprobante|nota de compra)\b", turn.text)
        )
    ) and not e.sizes:
        return _transfer(turn, AgentName.SUPPORT)  # "¿qué llevo pa' la garantía?"
    if (
        acts.WHAT_TO_BRING.search(turn.text)
        and state.slots.handoff_kind == "warranty"
        and not e.folios
    ):
        return _transfer(turn, AgentName.SUPPORT)  # after a warranty case: what to bring
    if (
        active == AgentName.SUPPORT
        and asks_price(turn.analysis)
        and not (e.sizes or e.vehicle or e.folios or _ORDER_WORDS.search(turn.text))
    ):
        return _transfer(turn, AgentName.SUPPORT)  # "¿y cuánto sale?" after a support answer
    talking_trouble = state.slots.symptoms is not None and not (
        e.folios or e.sizes or e.vehicle or _ORDER_WORDS.search(turn.text)
    )
    if talking_trouble and (
        intent in ("human_handoff", "tire_problem", "tire_care")
        or "tecnico" in turn.text
        or (active == AgentName.SUPPORT and turn.analysis.confidence < 0.6)
        or (active == AgentName.SUPPORT and _STILL.search(turn.text))
        or (active == AgentName.SUPPORT and asks_price(turn.analysis) and not e.sizes)
    ):
        # "ya las inflé y sigue prendido", "mejor que me hable un técnico": the same trouble.
        return _transfer(turn, AgentName.SUPPORT)
    if (
        state.slots.handoff_lead is not None
        and active in (AgentName.SUPPORT, AgentName.LOGISTICS, AgentName.SALES)
        and acts.CALL_ME.search(turn.text)
        and not (e.folios or e.sizes or e.vehicle)
    ):
        return _transfer(turn, active)  # "en la tarde me pueden marcar": for the open case
    arranging = intent in ("fulfillment", "delivery_reschedule") or any(
        (c.slot or "").startswith("fulfillment.") for c in turn.commands
    )
    if active == AgentName.LOGISTICS and arranging and not state.slots.folio:
        return _transfer(turn, active)  # an order of theirs from before: logistics arranges it
    if acts.WAITING_CASE.search(turn.text):
        return _transfer(turn, AgentName.SUPPORT)  # "¿ya me van a hablar?"
    moves_booking = bool(state.slots.appointment_number) and bool(_CHANGES.search(turn.text))
    if moves_booking or (
        appointments.ASKS.search(turn.text) and not e.folios and not _ORDER_WORDS.search(turn.text)
    ):
        return _transfer(turn, AgentName.SUPPORT)  # "agéndame la alineación el sábado"
    spare = _SPARE_ON.search(turn.text) or _SPARE_LIMITS.search(turn.text)
    if spare and not (e.folios or _ORDER_WORDS.search(turn.text)):
        # "traigo la galleta, ¿ando así la semana?": whatever the classifier made of "toda la
        # semana" (a delivery to move, how long a hold lasts), the spare on the car is support's
        return _transfer(turn, AgentName.SUPPORT)
    if (
        active == AgentName.SUPPORT
        and kb.leans_on(turn)
        and not (e.sizes or e.vehicle or e.folios or e.branches or _ORDER_WORDS.search(turn.text))
    ):
        # "¿y de alineación cada cuánto?", "¿y si las tengo al sol?" right after a guide's
        # answer: the same conversation about the guides, not a sale of services.
        return _transfer(turn, AgentName.SUPPORT)
    if Topic.BRANCHES in topics and not e.folios:
        return _transfer(turn, AgentName.SALES)  # "¿y dónde es exactamente?": addresses, hours
    if turn.has(CommandKind.CANCEL) or topics & SALES_TOPICS:
        return _transfer(turn, AgentName.SALES)
    if intent in LOGISTICS or Topic.ORDER_STATUS in topics:
        # A bare folio answers the support agent's question ("¿me compartes el folio?").
        if active == AgentName.SUPPORT and e.folios and len(turn.text.split()) <= 3:
            return _transfer(turn, AgentName.SUPPORT)
        return _transfer(turn, AgentName.LOGISTICS)
    if (
        active is not None
        and active != AgentName.SUPERVISOR
        and len(turn.text.split()) <= 6
        and _FOLLOW_UP.match(turn.text)
        and (intent in _VAGUE or turn.analysis.confidence < 0.6)
    ):
        return _transfer(turn, active)
    if e.sizes and (_PRICE_QUESTION.search(turn.text) or _BUYS.search(turn.text)):
        return _transfer(turn, AgentName.SALES)  # "medida 215/65/16, ¿cuánto cada una?"
    if intent in SUPPORT or (not has_product and diagnose(turn.text)):
        return _transfer(turn, AgentName.SUPPORT)  # "el volante tiembla arriba de 90"
    if intent in SALES or intent in STAFF_QUERIES or (intent in STAFF_ONLY and has_product):
        return _transfer(turn, AgentName.SALES)
    follow_up = intent in ("affirm", "deny") or turn.analysis.confidence < CONFIDENT
    if follow_up and active is not None and active != AgentName.SUPERVISOR:
        return _transfer(turn, active)
    if has_product and intent not in ("greeting", "thanks", "goodbye"):
        return _transfer(turn, AgentName.SALES)
    if e.folios:
        return _transfer(turn, AgentName.LOGISTICS)
    if intent in ("greeting", "thanks", "goodbye", "small_talk"):
        return say(t.small_talk(intent))
    replies = {
        "out_of_scope": t.OUT_OF_SCOPE,
        "affirm": "¡Va! ¿En qué te ayudo con tus llantas?",
        "deny": "Sin problema. Si necesitas algo de llantas, aquí estoy 🙂",
    }
    return say(replies.get(intent, t.ASK_AGAIN))


def _route_staff(turn: Turn) -> AIMessage:
    """Staff: analytics and stock to the staff agent; a vehicle's fitment to the catalogue."""
    intent, e, state = turn.intent, turn.entities, turn.state
    active = state.agent
    if active is not None and active != AgentName.SUPERVISOR and _answers_pending(turn):
        return _transfer(turn, active)
    if intent == "abuse" and turn.analysis.confidence >= SURE:
        return say(t.ABUSE)
    if intent in ("route_planning", "delivery_reschedule") or deliveries.staff_claims(turn):
        return _transfer(turn, AgentName.LOGISTICS)  # plans, late deliveries, trucks, on-time
    if active == AgentName.LOGISTICS and state.task == Task.DISPATCH and (
        e.branches or turn.text.startswith(("y ", "e ", "ahora ", "ok y "))
    ):
        return _transfer(turn, AgentName.LOGISTICS)  # "¿y en monterrey?"
    follow_up = len(turn.text.split()) <= 9 and (
        turn.text.startswith(("y ", "e ", "ahora ", "tambien ", "ok y "))
        or bool(_STAFF_ANALYTICS.search(turn.text))
    )
    if (
        active == AgentName.INVENTORY
        and (e.branches or e.sizes or e.brands or follow_up)
        and not (e.vehicle is not None and e.vehicle.model)
    ):
        return _transfer(turn, AgentName.INVENTORY)  # "¿y en MTY?", "¿y en toda la semana?"
    if (
        intent in STAFF_QUERIES
        or intent == "order_status"
        or _STAFF_ANALYTICS.search(turn.text)
        or staff_terms.report_of(turn.text, "") is not None
    ):
        return _transfer(turn, AgentName.INVENTORY)
    if e.vehicle is not None and e.vehicle.model:
        return _transfer(turn, AgentName.SALES)  # "¿qué medida lleva un Tiguan 2020?"
    if e.sizes or e.brands or e.folios:
        return _transfer(turn, AgentName.INVENTORY)
    if intent in SUPPORT:
        return _transfer(turn, AgentName.SUPPORT)
    if intent in ("tire_quote", "product_search", "services", "store_info", "financing"):
        return _transfer(turn, AgentName.SALES)
    if intent in ("greeting", "thanks", "goodbye", "small_talk"):
        return say(t.small_talk(intent, staff=True))
    if intent in ("affirm", "deny") and active is not None and active != AgentName.SUPERVISOR:
        return _transfer(turn, active)
    if intent == "out_of_scope":
        return say(t.OUT_OF_SCOPE)
    return say(t.STAFF_HELLO)
