"""The command generator: one message, read against the dialogue state, becomes commands.

What the bot is waiting for decides how a short answer reads ("2019" is a year after "¿de qué
año?", "2" is a quantity, "sí" confirms the pending question), and slots already set turn a new
value into a correction. Nothing here looks at rendered text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from adapters.llm.offline.nlu import Analysis, acts
from adapters.llm.offline.nlu import details as dx
from domain.dialogue import (
    Awaiting,
    Command,
    CommandKind,
    DialogueState,
    FulfillmentMode,
    OptionKey,
    PersonaRole,
    Slots,
    Task,
    Topic,
)
from domain.text import fold_words

TIRE_QUERY = frozenset({"tire_quote", "product_search"})
SMALL_TALK = frozenset({"greeting", "thanks", "goodbye", "small_talk"})
TOPIC_INTENTS: dict[str, Topic] = {
    "hold_period": Topic.HOLD_PERIOD,
    "payment_link": Topic.PAYMENT_LINK,
    "balance": Topic.BALANCE,
    "payment_methods": Topic.PAYMENT_METHODS,
    "financing": Topic.FINANCING,
    "invoice": Topic.INVOICE,
    "services": Topic.SERVICES,
    "store_info": Topic.BRANCHES,
    "order_status": Topic.ORDER_STATUS,
    "warranty_claim": Topic.WARRANTY,
}
# Backstops for the classifier: phrasings that name the topic outright.


def _number(raw: str) -> int:
    return acts.NUMBER_WORDS[raw] if raw in acts.NUMBER_WORDS else int(raw)


def _year(raw: str) -> int | None:
    value = int(raw)
    if value < 100:
        value += 2000 if value <= 40 else 1900
    return value if 1980 <= value <= 2035 else None


class _Builder:
    def __init__(self, slots: Slots) -> None:
        self.slots = slots
        self.commands: list[Command] = []

    def add(self, kind: CommandKind, **fields: Any) -> None:
        command = Command(kind=kind, **fields)
        if command not in self.commands:
            self.commands.append(command)

    def slot(self, name: str, value: Any, current: Any = None) -> None:
        if value is None:
            return
        kind = (
            CommandKind.CORRECT_SLOT
            if current not in (None, "", []) and current != value
            else CommandKind.SET_SLOT
        )
        self.add(kind, slot=name, value=value)


def choice_sku(analysis: Analysis, slots: Slots, awaiting: Awaiting) -> str | None:
    """The offered option the message points at: by brand or line, by position or price, "esa"."""
    offers = slots.offers
    if not offers:
        return None
    e = analysis.entities
    asks_brand = bool(acts.BRAND_QUESTION.search(analysis.normalized))
    for brand in [] if asks_brand else e.brands:
        hits = [o for o in offers if o.brand.lower() == brand.lower()]
        if hits:
            return hits[0].sku
    for brand, line in e.lines:
        hits = [o for o in offers if o.brand == brand and o.line == line]
        if hits:
            return hits[0].sku
    choice = e.choice
    if choice == "cheapest":
        return min(offers, key=lambda o: o.unit_price_cents).sku
    keys = {k.value: k for k in OptionKey}
    if choice in keys:
        hit = next((o for o in offers if o.key == keys[choice]), None)
        if hit is not None:
            return hit.sku
    positions = {"first": 0, "second": 1, "third": 2}
    if choice in positions and positions[choice] < len(offers):
        return offers[positions[choice]].sku
    if acts.THAT_ONE.search(analysis.normalized) and awaiting in (
        Awaiting.OPTION,
        Awaiting.RESERVE_CONFIRM,
    ):
        if slots.chosen_sku:
            return slots.chosen_sku
        if len(offers) == 1:
            return offers[0].sku
    if (
        len(offers) == 1
        and awaiting == Awaiting.OPTION
        and analysis.intent in ("select_option", "affirm", "reserve")
    ):
        return offers[0].sku
    return None


def _remembered_year(model: str, earlier: Sequence[Analysis]) -> int | None:
    """The year a model was given in an earlier message ("...y la crv 2019 de mi esposa")."""
    for past in reversed(earlier):
        for v in (past.entities.vehicle, *past.entities.other_vehicles):
            if v is not None and v.model == model and v.year:
                return v.year
    return None


def understand(
    analysis: Analysis,
    state: DialogueState,
    role: PersonaRole,
    earlier: Sequence[Analysis] = (),
    *,
    trims: Sequence[str] = (),
) -> list[Command]:
    """The commands one message carries, given what the conversation already knows."""
    e, text, intent = analysis.entities, analysis.normalized, analysis.intent
    aw, slots = state.awaiting, state.slots
    b = _Builder(slots)

    # Speech acts.
    reported = bool(acts.REPORTED_CANCEL.search(text))
    cancel = (intent == "cancel" and not reported) or bool(dx.CANCEL.search(text))
    # "ok y aprovechando, ¿cuánto una 205/55R16?" is not a yes: a prefix counts on short
    # messages or when nothing new is named.
    short = len(text.split()) <= 5
    names_new = bool(e.sizes or (e.vehicle is not None and e.vehicle.model))
    affirm = intent == "affirm" or (bool(dx.AFFIRM_PREFIX.match(text)) and (short or not names_new))
    deny = intent == "deny" or (bool(dx.DENY_PREFIX.match(text)) and not affirm)
    if cancel:
        b.add(CommandKind.CANCEL, task=Task.RESERVATION if slots.folio else state.task)
    elif affirm and not deny:
        b.add(CommandKind.CONFIRM)
    elif aw == Awaiting.HANDOFF_CONFIRM and acts.WANTS_PERSON.search(text):
        b.add(CommandKind.CONFIRM)  # "¿me la puede revisar un técnico?"
    elif deny:
        b.add(CommandKind.DENY)

    # Vehicle, year and trim.
    v = e.vehicle
    current = slots.vehicle
    if v is not None and v.model:
        same_model = current.model is not None and current.model.lower() == v.model.lower()
        if same_model and v.year and current.year and v.year != current.year:
            b.slot("vehicle.year", v.year, current.year)
        elif not same_model or (v.year and not current.year):
            year = v.year or (_remembered_year(v.model, earlier) if not same_model else None)
            b.slot(
                "vehicle",
                {"make": v.make, "model": v.model, "year": year, "trim": e.trim},
                current.model_dump() if current.model else None,
            )
    elif current.model:
        bare = acts.BARE_YEAR.match(text)
        year_words = aw == Awaiting.YEAR or re.search(
            r"\b(?:modelo|ano|es del|es un|es una)\b", text
        )
        anywhere = acts.YEAR_ANYWHERE.search(text)
        if bare and (aw == Awaiting.YEAR or len(bare[1]) == 4 or year_words):
            year = _year(bare[1])
            if year is not None:
                b.slot("vehicle.year", year, current.year)
        elif e.vehicle is not None and e.vehicle.year and not e.vehicle.model:
            b.slot("vehicle.year", e.vehicle.year, current.year)
        elif anywhere and not e.sizes and (aw == Awaiting.YEAR or acts.CORRECTION_CUE.search(text)):
            b.slot("vehicle.year", int(anywhere[1]), current.year)
    trim = e.trim
    if trim is None and slots.trims and (aw == Awaiting.TRIM or current.model):
        trim = dx.extract_trim(
            analysis.text, slots.trims, expected=bool(slots.offers), model=current.model
        )
    if trim is None and not slots.trims and trims and current.model:
        # "no perdón, es 2021 GLS": the model's trims, although the first year's all fit alike.
        trim = dx.extract_trim(analysis.text, trims, model=current.model)
    if trim is None and current.model and slots.offers and acts.BASE_TRIM.search(text):
        b.add(CommandKind.CLARIFY, slot="vehicle.trim", value="base")
    if trim and not (v is not None and v.model and b.commands and b.commands[-1].slot == "vehicle"):
        b.slot("vehicle.trim", trim, current.trim)

    # What tire.
    if e.sizes:
        b.slot("size", e.sizes[0], slots.size)
    rim = acts.RIM.search(text)
    if rim and not e.sizes:
        b.slot("rim", int(rim[1]), slots.rim)
    chosen = choice_sku(analysis, slots, aw)
    if chosen is None and slots.offers and not e.brands and acts.RECOMMEND.search(text):
        # "¿cuál me recomienda usted?": our recommended option, quoted.
        chosen = next((o.sku for o in slots.offers if o.key == OptionKey.RECOMMENDED), None)
    if slots.brand and not e.brands and acts.CHEAPEST.search(text):
        # "Michelin, ¿qué precio?" then "nel, muy caras, mejor las más baratas": of any brand.
        b.add(CommandKind.CORRECT_SLOT, slot="brand", value=None)
        chosen = None
    if chosen is not None and chosen == slots.chosen_sku and aw == Awaiting.RESERVE_CONFIRM:
        if not cancel:
            b.add(CommandKind.CONFIRM)  # "esa" right after the quote: yes, that one
    elif chosen is not None and not e.sizes and not (v is not None and v.model):
        b.slot("chosen_sku", chosen, slots.chosen_sku)
    elif e.brands:
        b.slot("brand", e.brands[0], slots.brand)
    if e.terrain is not None:
        b.slot("terrain", e.terrain.value, slots.terrain.value if slots.terrain else None)
    if e.run_flat is not None:
        b.slot("run_flat", e.run_flat, slots.run_flat)
    if e.light_truck is not None:
        b.slot("light_truck", e.light_truck, slots.light_truck)
    if e.max_price_pesos is not None:
        b.slot("max_unit_price_pesos", e.max_price_pesos, slots.max_unit_price_pesos)

    # How many.
    quantity = e.quantity
    change = acts.QUANTITY_CHANGE.search(text)
    if change:
        quantity = _number(change[1])
    bare_number = acts.BARE_NUMBER.match(text)
    if quantity is None and bare_number and aw in (
        Awaiting.QUANTITY, Awaiting.RESERVE_CONFIRM, Awaiting.OPTION, Awaiting.CHANGE_CONFIRM,
        Awaiting.PURCHASE_CONFIRM, Awaiting.TRANSFER_CONFIRM,
    ):  # fmt: skip
        quantity = _number(bare_number[1])
    if quantity is not None and 1 <= quantity <= 500:
        b.slot("quantity", quantity, slots.quantity)

    # Where and when.
    mode = e.fulfillment
    if intent == "fulfillment" and mode is None and aw == Awaiting.INSTALL_CHOICE:
        mode = "delivery" if re.search(r"\bcasa|domicilio|vengan|vayan\b", text) else None
    if mode:
        current_mode = slots.fulfillment.mode.value if slots.fulfillment.mode else None
        b.slot("fulfillment.mode", FulfillmentMode(mode).value, current_mode)
    about_visit = (
        bool(mode)
        or aw in (Awaiting.INSTALL_CHOICE, Awaiting.DELIVERY_DETAILS)
        or intent in ("reserve", "select_option", "fulfillment", "delivery_reschedule")
        or bool(acts.APART.search(text))
    )
    if (
        e.when is not None
        and about_visit
        and acts.DATE_WORDS.search(text)
        and not acts.DAY_HOURS.search(text)
    ):
        # "en la tarde" alone is a window, not "today".
        b.slot("fulfillment.day", e.when.date().isoformat(), None)
    if e.window is not None and about_visit:
        b.slot("fulfillment.window", e.window.value, None)
    address = (
        dx.extract_address(analysis.text, text, expected=aw == Awaiting.DELIVERY_DETAILS)
        if (aw == Awaiting.DELIVERY_DETAILS or mode == "delivery" or e.address)
        else None
    )
    if address:
        b.slot("fulfillment.address", address, slots.fulfillment.address)
        if not mode:
            # "pásenlo al martes, en Av. Patria 1200": an address means they come to the customer.
            b.slot("fulfillment.mode", FulfillmentMode.DELIVERY.value, None)
    if e.branches and not address:
        # "calle Durazno 45, Benito Juárez, CDMX" names a city inside an address, not a branch.
        b.slot("branch", e.branches[0], slots.branch)

    # Orders and fiscal data.
    if e.folios:
        b.slot("order_folio", e.folios[0], slots.order_folio)
    invoicing = (
        aw == Awaiting.INVOICE_DATA
        or intent == "invoice"
        or bool(e.rfc)
        or bool(acts.INVOICE_WORDS.search(text))
    )
    missing = slots.invoice.missing()
    if invoicing:
        rfc = e.rfc or dx.extract_rfc_claim(analysis.text)
        if rfc:
            b.slot("invoice.rfc", rfc, slots.invoice.rfc)
        name = dx.extract_business_name(
            analysis.text,
            expected=aw == Awaiting.INVOICE_DATA or len(missing) < 5 or bool(rfc),
            rfc=rfc,
        )
        if name:
            b.slot("invoice.name", name, slots.invoice.name)
        if e.regime:
            b.slot("invoice.regime", e.regime, slots.invoice.regime)
        if e.cfdi_use:
            b.slot("invoice.use", e.cfdi_use, slots.invoice.use)
        zip_code = dx.extract_zip(text, expected=aw == Awaiting.INVOICE_DATA, rfc=rfc)
        if zip_code:
            b.slot("invoice.zip_code", zip_code, slots.invoice.zip_code)

    # Questions off the current task: the phrasings that name a topic outright first, then the
    # classifier's topic when it is not a weaker reading of the same money question.
    named = [topic for topic, pattern in acts.TOPIC_PATTERNS if pattern.search(text)]
    branch_stock = (
        bool(e.branches)
        and bool(slots.offers or slots.chosen_sku)
        and not e.sizes
        and not (v is not None and v.model)
        and bool(dx.BRANCH_QUESTION.search(text))
        and not (slots.folio and acts.MOVE_BRANCH.search(text))
        and not re.search(r"\b(?:donde|direccion|horario|hora|abren|cierran|ubicacion)\b", text)
    )
    if branch_stock:
        named.insert(0, Topic.BRANCH_STOCK)
    names_product = bool(e.sizes or (v is not None and v.model))
    if not invoicing and (
        acts.TERMS.search(text) or (acts.DEALER.search(text) and not names_product)
    ):
        named.insert(0, Topic.TERMS)
    topic = TOPIC_INTENTS.get(intent)
    if topic == Topic.FINANCING and Topic.TERMS in named:
        topic = None
    money = {Topic.FINANCING, Topic.PAYMENT_METHODS, Topic.BALANCE, Topic.PAYMENT_LINK}
    if (
        topic is not None
        and analysis.confidence >= 0.45
        and not (named and (topic in money or analysis.confidence < 0.6))
    ):
        named.append(topic)
    if branch_stock and Topic.BRANCHES in named:
        named.remove(Topic.BRANCHES)
    if (
        not slots.folio
        and not slots.order_folio
        and acts.MY_RESERVATION.search(text)
        and Topic.ORDER_STATUS not in named
    ):
        named.append(Topic.ORDER_STATUS)  # "tengo unas llantas apartadas pero ya no puedo ir"
    if aw == Awaiting.ORDER_CHOICE and slots.order_choices and not e.folios:
        # "las de 185 60 14", "las Sailun": the order that holds them.
        for folio, held in slots.order_choices.items():
            squeezed = held.lower().replace(" ", "")
            by_size = any(size.lower() in squeezed for size in e.sizes)
            by_brand = any(brand.lower() in held.lower() for brand in e.brands)
            if by_size or by_brand:
                b.slot("order_folio", folio, slots.order_folio)
                break
    other_of_two = bool(slots.order_choices) and bool(acts.OTHER.search(text))
    if (acts.OTHER_ORDER.search(text) or other_of_two) and slots.order_folio:
        named = [t for t in named if t != Topic.ORDER_STATUS]
        b.add(CommandKind.DIGRESS, topic=Topic.ORDER_STATUS, value="other")
    if (
        acts.PROMO.search(text)
        and not names_product
        and set(named) <= {Topic.FINANCING, Topic.TERMS}
    ):
        named = []
        b.add(CommandKind.DIGRESS, topic=Topic.FINANCING, value="promo")
    for found in named:
        value = e.branches[0] if found == Topic.BRANCH_STOCK else e.payment_method
        b.add(CommandKind.DIGRESS, topic=found, value=value)

    # "siempre no" with a reservation open and no yes/no question pending: cancel it, or just
    # decline? Two plausible readings: ask.
    slot_commands = [c for c in b.commands if c.slot]
    if (
        deny
        and not cancel
        and slots.folio
        and not slot_commands
        and aw not in acts.YES_NO
        and re.match(r"^(?:siempre no|mejor no|ya no|no ya no)\b", text)
    ):
        b.add(CommandKind.CLARIFY, task=Task.RESERVATION)

    # Tasks.
    if intent in TIRE_QUERY or e.sizes or (v is not None and v.model) or acts.OTHER.search(text):
        b.add(CommandKind.START_TASK, task=Task.QUOTE)
    hold_question = any(
        c.topic in (Topic.HOLD_PERIOD, Topic.PAYMENT_LINK) for c in b.commands if c.topic
    )
    price_first = asks_price(analysis) and not acts.APART.search(text)
    if wants_reservation_now(analysis) and not hold_question and not cancel and not price_first:
        b.add(CommandKind.START_TASK, task=Task.RESERVATION)
    if intent == "modify_order":
        b.add(CommandKind.START_TASK, task=Task.RESERVATION, value="modify")
    if intent == "fulfillment":
        b.add(CommandKind.START_TASK, task=Task.FULFILLMENT)
    if intent == "human_handoff":
        b.add(CommandKind.HANDOFF)
    if acts.LATER.search(text):
        b.add(CommandKind.SMALL_TALK, value="later")
    elif intent in SMALL_TALK:
        b.add(CommandKind.SMALL_TALK, value=intent)
    if acts.WHAT_TO_BRING.search(text):
        b.add(CommandKind.DIGRESS, topic=Topic.ORDER_STATUS, value="pickup")
    settled = _settle_yes_no(b.commands, analysis)
    if aw == Awaiting.HANDOFF_CONFIRM and acts.VISIT.search(text):
        # "va gracias, paso mañana": they will come to the shop; nobody needs to call them.
        settled = [c for c in settled if c.kind != CommandKind.CONFIRM]
    return settled


_SUBSTANTIVE = frozenset({
    CommandKind.DIGRESS, CommandKind.SET_SLOT, CommandKind.CORRECT_SLOT, CommandKind.START_TASK,
    CommandKind.CANCEL, CommandKind.CLARIFY, CommandKind.HANDOFF,
})  # fmt: skip


def _settle_yes_no(commands: list[Command], analysis: Analysis) -> list[Command]:
    """A "no"/"ok" at the start of a longer message is not the answer when the rest says what
    the customer wants: "no me llegó el link", "no ese no, el otro", "ok y cuánto tiempo me las
    guardan?". "ok gracias" / "luego te escribo" thank or leave; they confirm nothing."""
    text = analysis.normalized
    kinds = {c.kind for c in commands}
    substantive = bool(kinds & _SUBSTANTIVE)
    drop: set[CommandKind] = set()
    if CommandKind.DENY in kinds and analysis.intent != "deny" and substantive:
        drop.add(CommandKind.DENY)
    if CommandKind.CONFIRM in kinds and not acts.APART.search(text):
        first = text.split()[0] if text else ""
        explicit = first in (
            "si",
            "sii",
            "simon",
            "claro",
            "dale",
            "sale",
            "va",
            "andale",
            "confirmo",
        )
        thanks = re.search(r"\bgracias\b", text) is not None
        hedged = first in ("ok", "okey", "okay", "bueno", "orale", "mmm")
        asks = CommandKind.DIGRESS in kinds and not (
            kinds & {CommandKind.SET_SLOT, CommandKind.CORRECT_SLOT}
        )
        # "va, ¿cuánto sale el juego de esas?" asks the price first; it reserves nothing yet.
        price_question = asks_price(analysis)
        if (
            acts.LATER.search(text)
            or (thanks and not explicit)
            or (hedged and asks)
            or price_question
        ):
            drop.add(CommandKind.CONFIRM)
    return [c for c in commands if c.kind not in drop]


def asks_price(analysis: Analysis) -> bool:
    """ "¿cuánto sale el juego?": on the words as written (the normaliser drops "sale", which
    is also a yes)."""
    return bool(acts.PRICE_QUESTION.search(fold_words(analysis.text)))


def asks_about_brand(analysis: Analysis) -> bool:
    """ "¿Tienes en Michelin?": a question about a brand, not a choice of one."""
    return bool(analysis.entities.brands) and bool(acts.BRAND_QUESTION.search(analysis.normalized))


def wants_other_option(analysis: Analysis) -> bool:
    """ "¿Y la otra?", "algo más barato": the customer looks past the current choice."""
    return bool(acts.OTHER.search(analysis.normalized))


_HYPOTHETICAL = re.compile(
    r"^(?:y |o )?si (?!va\b|claro\b|porfa)|\by si\b|\bque tal si\b|\bsi fueran\b"
)


def wants_reservation_now(analysis: Analysis) -> bool:
    """The message itself asks to hold the tires ("apártamelas", "las quiero"); a confident
    classifier counts too, but never for a what-if ("¿y si nomás compro 2?")."""
    text = analysis.normalized
    if acts.APART.search(text):
        return True
    return (
        analysis.intent == "reserve"
        and analysis.confidence >= 0.7
        and not _HYPOTHETICAL.search(text)
    )
