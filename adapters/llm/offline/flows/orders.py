"""After the reservation: changes and cancellation, payments, the hold, pickup or home visit,
invoice data and order status. Shared by the sales and logistics flows."""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline.templates import catalog as tc
from adapters.llm.offline.templates import common as t
from adapters.llm.offline.templates import orders as to
from adapters.llm.offline.templates import support as ts
from adapters.llm.offline.turn import Turn, call, say
from domain.cfdi import check_rfc
from domain.dialogue import (
    DEFAULT_QUANTITY,
    Awaiting,
    CommandKind,
    FulfillmentMode,
    HandoffReason,
    InvoiceSlot,
    Task,
    Topic,
)
from domain.tool_results import (
    Branches,
    BranchStock,
    CancellationResult,
    CustomerTerms,
    FulfillmentResult,
    HandoffResult,
    InvoiceResult,
    OrderStatus,
    PaymentLinkResult,
    PaymentOptions,
    ReservationResult,
    ServicePrices,
)

# Imperatives that already confirm a change ("cámbialo a 2", "apártame solo 2"); "mejor solo 2"
# is a wish we quote and confirm first.
_CHANGE_NOW = re.compile(
    r"\b(?:cambia\w*|modifica\w*|ajusta\w*|apartame|apartamelas|dejalo en|dejala en|dejalas en|"
    r"hazlo|hazle|quitale|bajale|subele)\b|"
    # "siempre no, mejor nomás 2": decided, not asked ("¿y si fueran 2?" is asked).
    r"\bmejor (?:nomas |solo |solamente |que sean |nada mas )?(?:\d{1,3}|una|dos|tres|cuatro)\b|"
    r"\b(?:nomas|solo) (?:quiero|ocupo|necesito) (?:\d{1,3}|una|dos|tres)\b"
)


def decided_change(turn: Turn) -> bool:
    """The message orders the change to the open reservation ("cámbiamelas por Michelin")."""
    return bool(_CHANGE_NOW.search(turn.text))


FULFILLMENT_SLOTS = frozenset(
    {"fulfillment.mode", "fulfillment.day", "fulfillment.window", "fulfillment.address"}
)
INVOICE_SLOTS = frozenset(
    {"invoice.rfc", "invoice.name", "invoice.regime", "invoice.use", "invoice.zip_code"}
)
ORDER_TOPICS = (Topic.HOLD_PERIOD, Topic.BALANCE, Topic.ORDER_STATUS)


def other_order(turn: Turn) -> bool:
    """ "¿Y el otro que tengo apartado?": the order besides the one we just talked about."""
    return any(
        c.kind == CommandKind.DIGRESS and c.topic == Topic.ORDER_STATUS and c.value == "other"
        for c in turn.commands
    )


def _order_folio(turn: Turn) -> str | None:
    slots = turn.state.slots
    return slots.folio or slots.order_folio


# --- cancel and change -------------------------------------------------------------------------


def cancel(turn: Turn) -> AIMessage:
    """Cancel the open reservation, or drop the task when nothing was written."""
    slots, state = turn.state.slots, turn.state
    folio = turn.value("order_folio") or slots.folio
    if folio and turn.can("cancel_reservation"):
        return call("cancel_reservation", folio=folio)
    if state.task in (Task.QUOTE, Task.RESERVATION) and (slots.offers or slots.chosen_sku):
        slots.chosen_sku = None
        turn.expect(Awaiting.NOTHING, Task.NONE)
        return say(
            "Va, sin problema: no aparté nada. Si más adelante quieres otra cotización, aquí "
            "estoy 🙂"
        )
    turn.expect(Awaiting.FOLIO, Task.RESERVATION)
    return say(
        "No veo un apartado abierto en esta plática. Si es un pedido anterior, pásame el folio "
        "(ej. TL-000123) y lo reviso."
    )


def change_purchase(turn: Turn, changed: list[str]) -> AIMessage:
    """A new quantity or tire while a reservation is open: quote it and ask, or do it when the
    message already says so ("apártame solo 2", "cámbialo a 2")."""
    slots = turn.state.slots
    direct = decided_change(turn) or turn.has(CommandKind.CONFIRM)
    if direct and turn.can("change_reservation"):
        return call(
            "change_reservation",
            quantity=slots.quantity,
            sku=slots.chosen_sku if "chosen_sku" in changed else None,
        )
    return (
        call("quote_tires", sku=slots.chosen_sku, quantity=slots.quantity or DEFAULT_QUANTITY)
        if slots.chosen_sku
        else call("get_order_status", folio=slots.folio)
    )


# --- answers to the question we asked ----------------------------------------------------------


def answer_pending(turn: Turn, awaiting: Awaiting, changed: list[str]) -> AIMessage | None:
    """Handle an answer to what the bot was waiting for; None when the message is not one."""
    state, slots = turn.state, turn.state.slots
    confirm, deny = turn.has(CommandKind.CONFIRM), turn.has(CommandKind.DENY)
    if awaiting == Awaiting.CANCEL_CONFIRM:
        if confirm and slots.folio:
            return call("cancel_reservation", folio=slots.folio)
        if deny:
            turn.expect(Awaiting.NOTHING)
            return say(f"Va, tu apartado {slots.folio} sigue en pie 👍")
    if awaiting == Awaiting.HANDOFF_CONFIRM:
        if confirm or turn.has(CommandKind.HANDOFF):
            reason = (
                HandoffReason.DELIVERY_ISSUE
                if state.task == Task.ORDER_STATUS
                else HandoffReason.TECHNICAL
                if technical(turn)
                else HandoffReason.CUSTOMER_ASKED
            )
            return handoff(turn, _handoff_reason(turn), reason)
        if deny:
            turn.expect(Awaiting.NOTHING)
            return say(ts.OKAY)
    if awaiting == Awaiting.CHANGE_CONFIRM and slots.folio:
        if (confirm or "quantity" in changed) and turn.can("change_reservation"):
            return call(
                "change_reservation",
                quantity=slots.quantity,
                sku=slots.chosen_sku,
                branch_code=slots.branch,
            )
        if deny:
            turn.expect(Awaiting.NOTHING)
            return say(f"Va, dejo tu apartado {slots.folio} como estaba 👍")
    if (
        "branch" in changed
        and slots.folio
        and turn.can("change_reservation")
        and Topic.BRANCH_STOCK not in turn.topics()
    ):
        # "mejor que sea en la sucursal de CDMX": move the open reservation there.
        return call("change_reservation", branch_code=slots.branch)
    visit_question = awaiting in (Awaiting.INSTALL_CHOICE, Awaiting.DELIVERY_DETAILS)
    if (
        changed
        and set(changed) <= FULFILLMENT_SLOTS | {"branch"}
        and set(changed) & FULFILLMENT_SLOTS
        and (slots.folio or slots.order_folio or visit_question)
        and not turn.starts(Task.RESERVATION)
    ):
        return fulfillment(turn)
    if awaiting == Awaiting.INSTALL_CHOICE and confirm and not changed and slots.fulfillment.mode:
        return fulfillment(turn)  # "sí" to the choice they had already made (pick up on Saturday)
    if (
        awaiting == Awaiting.INSTALL_CHOICE
        and (confirm or deny)
        and not changed
        and not turn.topics()
    ):
        return say("¿Te las instalamos a domicilio o prefieres venir al taller? 🔧")
    if set(changed) & INVOICE_SLOTS or (
        awaiting == Awaiting.INVOICE_DATA and not _other_business(turn, changed)
    ):
        return invoice(turn)
    if awaiting in (Awaiting.ORDER_CHOICE, Awaiting.FOLIO) and "order_folio" in changed:
        if (
            state.task == Task.RESERVATION
            and turn.can("cancel_reservation")
            and turn.has(CommandKind.CANCEL)
        ):
            return call("cancel_reservation", folio=slots.order_folio)
        return call("get_order_status", folio=slots.order_folio)
    return None


def handoff(turn: Turn, reason: str, kind: HandoffReason) -> AIMessage:
    """Hand the case to a person once per conversation; a second ask is answered, not doubled."""
    lead = turn.state.slots.handoff_lead
    if lead is not None:
        turn.expect(Awaiting.NOTHING)
        return say(
            "Tu caso ya está con nuestro equipo 🙌 te contactan en cuanto lo revisen. Si quieres "
            "agregar algo (fotos, horario en que te pueden llamar), escríbelo aquí y lo sumo."
        )
    return call("handoff_to_human", reason=reason, kind=kind.value)


def _other_business(turn: Turn, changed: list[str]) -> bool:
    """The message is about something else (a change, a question, a cancellation)."""
    kinds = {c.kind for c in turn.commands}
    return bool(
        changed
        or kinds
        & {CommandKind.CANCEL, CommandKind.DIGRESS, CommandKind.START_TASK, CommandKind.HANDOFF}
    ) and not (kinds & {CommandKind.DIGRESS} and Topic.INVOICE in turn.topics())


def technical(turn: Turn) -> bool:
    """A person for a tire problem: a technician ("que me hable un técnico", or while a
    problem is being described), not a salesperson."""
    return (
        turn.state.task == Task.SUPPORT
        or turn.state.slots.symptoms is not None
        or "tecnico" in turn.text
    )


def _handoff_reason(turn: Turn) -> str:
    folio = _order_folio(turn)
    if turn.state.task == Task.ORDER_STATUS and folio:
        return f"Entrega retrasada del pedido {folio}: el cliente pide hora de llegada"
    if technical(turn):
        return "Revisión técnica solicitada por el cliente"
    return "El cliente pidió hablar con una persona"


def fulfillment(turn: Turn) -> AIMessage:
    """Record pickup or home installation (day, window, address) on the order."""
    slots = turn.state.slots
    f = slots.fulfillment
    folio = slots.folio or slots.order_folio
    if not folio or not turn.can("set_fulfillment"):
        if f.mode == FulfillmentMode.DELIVERY:
            text = "¡Claro! También instalamos a domicilio 🏠 En cuanto apartes tus llantas agendamos el día."
        else:
            text = "¡Va! Cuando apartes tus llantas te digo en qué sucursal recogerlas."
        return say(t.with_resume(text, turn.state))
    mode = f.mode or FulfillmentMode.PICKUP
    return call(
        "set_fulfillment",
        folio=folio,
        mode=mode.value,
        day=f.day.isoformat() if f.day else None,
        window=f.window.value if f.window else None,
        address=f.address if mode == FulfillmentMode.DELIVERY else None,
    )


def invoice(turn: Turn) -> AIMessage:
    """Collect the CFDI receiver data across messages; record it on the order when complete."""
    state, slots = turn.state, turn.state.slots
    folio = slots.folio or slots.order_folio
    if state.awaiting != Awaiting.INVOICE_DATA and state.task != Task.INVOICE:
        state.resume = state.awaiting
    if not folio:
        turn.expect(Awaiting.NOTHING, state.task)
        return say(t.with_resume(to.INVOICE_NO_ORDER, state))
    if slots.invoice.rfc:
        checked = check_rfc(slots.invoice.rfc)
        if not checked.valid:
            slots.invoice.rfc = None
            turn.expect(Awaiting.INVOICE_DATA, Task.INVOICE)
            problem = checked.problem or ""
            return say(f"Ojo: {problem}. ¿Me lo pasas de nuevo?")
    missing = slots.invoice.missing()
    if not missing and turn.can("request_invoice"):
        i = slots.invoice
        return call(
            "request_invoice",
            folio=folio,
            rfc=i.rfc,
            name=i.name,
            regime=i.regime,
            use=i.use,
            zip_code=i.zip_code,
        )
    turn.expect(Awaiting.INVOICE_DATA, Task.INVOICE)
    if len(missing) == 5:
        return say(to.INVOICE_START)
    return say(t.ask_invoice_field(state))


# --- questions in the middle of a task ---------------------------------------------------------


def digression(turn: Turn) -> AIMessage | None:
    """Answer a question off the task (the task resumes after it); None when there is none."""
    slots = turn.state.slots
    for topic in turn.topics():
        folio = _order_folio(turn)
        if topic == Topic.PAYMENT_LINK:
            if folio and turn.can("resend_payment_link"):
                return call("resend_payment_link", folio=folio)
            return say(
                t.with_resume(
                    "El link de pago te lo mando en cuanto apartemos tus llantas 🙂", turn.state
                )
            )
        if topic in ORDER_TOPICS:
            if other_order(turn) and turn.can("get_order_status"):
                return call("get_order_status", other_than=slots.order_folio)
            if folio and turn.can("get_order_status"):
                return call("get_order_status", folio=folio)
            if topic == Topic.HOLD_PERIOD and turn.can("get_payment_options"):
                return call("get_payment_options")
            if topic == Topic.ORDER_STATUS and turn.can("get_order_status"):
                return call("get_order_status")
            if topic == Topic.BALANCE and turn.can("get_order_status"):
                return call("get_order_status")
        if topic in (Topic.PAYMENT_METHODS, Topic.FINANCING) and turn.can("get_payment_options"):
            if topic == Topic.FINANCING and slots.chosen_sku and not slots.folio:
                return call(
                    "quote_tires", sku=slots.chosen_sku, quantity=slots.quantity or DEFAULT_QUANTITY
                )
            return call("get_payment_options")
        if topic == Topic.INVOICE:
            return invoice(turn)
        if topic == Topic.SERVICES and turn.can("get_service_prices"):
            return call("get_service_prices")
        if topic == Topic.BRANCHES and turn.can("get_branches"):
            return call("get_branches")
        if topic == Topic.BRANCH_STOCK and turn.can("check_branch_stock"):
            skus = [slots.chosen_sku] if slots.chosen_sku else [o.sku for o in slots.offers]
            return call(
                "check_branch_stock",
                branch_code=slots.branch,
                skus=skus,
                quantity=slots.quantity or DEFAULT_QUANTITY,
            )
        if topic == Topic.FIND_SIZE:
            return say(tc.FIND_SIZE)
        if topic == Topic.TERMS and turn.can("get_customer_terms"):
            return call("get_customer_terms")
    return None


# --- after a tool result -------------------------------------------------------------------------


def after(turn: Turn) -> AIMessage:
    """Reply from an order, payment or information result."""
    outcome = turn.last
    assert outcome is not None
    state, slots = turn.state, turn.state.slots
    reservation = outcome.get(ReservationResult)
    if reservation is not None:
        order = reservation.order
        if "fulfillment" not in outcome.args:
            slots.fulfillment.mode = None  # the order's default, not the customer's choice
        slots.folio = order.folio
        slots.order_folio = order.folio
        line = order.items[0] if order.items else None
        if line is not None:
            slots.chosen_sku = line.sku
            slots.quantity = line.quantity
        home = order.fulfillment.mode == FulfillmentMode.DELIVERY
        # "apártamelas y el sábado paso por ellas" decides; "¿mañana las puedo recoger?" asks,
        # and the answer offers both ways (the product description's Jetta conversation).
        a_question = "?" in turn.analysis.text or bool(re.search(r"\bpued(?:o|en|a)\b", turn.text))
        decided = "fulfillment" in outcome.args and not a_question
        ask = reservation.change == "created" and not home and not decided
        if ask:
            turn.expect(Awaiting.INSTALL_CHOICE, Task.FULFILLMENT)
        elif home and not (
            order.fulfillment.address and order.fulfillment.day and order.fulfillment.window
        ):
            slots.fulfillment.mode = FulfillmentMode.DELIVERY
            turn.expect(Awaiting.DELIVERY_DETAILS, Task.FULFILLMENT)
        else:
            turn.expect(Awaiting.NOTHING, Task.RESERVATION)
        # "apártamelas, y me das factura, ¿verdad?": yes, and what the CFDI needs; the home or
        # shop question waits until the invoice data is in.
        invoice_now = Topic.INVOICE in turn.topics() and not slots.invoice.rfc
        text = to.reservation(reservation, ask_install=ask and not invoice_now)
        if state.awaiting == Awaiting.DELIVERY_DETAILS:
            text += "\n\n" + t.ask_delivery_details(state)
        elif invoice_now:
            state.resume = state.awaiting
            turn.expect(Awaiting.INVOICE_DATA, Task.INVOICE)
            text += "\n\n" + to.INVOICE_START
        return say(text)
    cancelled = outcome.get(CancellationResult)
    if cancelled is not None:
        if slots.folio == cancelled.folio:
            slots.folio = None
        slots.chosen_sku = None
        slots.fulfillment.mode = None
        slots.fulfillment.day = None
        turn.expect(Awaiting.NOTHING, Task.NONE)
        return say(to.cancellation(cancelled))
    link = outcome.get(PaymentLinkResult)
    if link is not None:
        return say(t.with_resume(to.payment_link(link), state))
    status = outcome.get(OrderStatus)
    if status is not None:
        return _order_answer(turn, status)
    options = outcome.get(PaymentOptions)
    if options is not None:
        if Topic.HOLD_PERIOD in turn.topics() and not _order_folio(turn):
            return say(
                t.with_resume(to.hold_policy(options.hold_hours, options.deposit_cents), state)
            )
        asked = next(
            (c.value for c in turn.commands if c.kind == CommandKind.DIGRESS and c.value), None
        )
        financing = Topic.FINANCING in turn.topics() and asked is None
        return say(t.with_resume(to.payment_options(options, asked, financing=financing), state))
    done = outcome.get(FulfillmentResult)
    if done is not None:
        slots.fulfillment.mode = done.fulfillment.mode
        if done.missing:
            turn.expect(Awaiting.DELIVERY_DETAILS, Task.FULFILLMENT)
        else:
            turn.expect(Awaiting.NOTHING, Task.FULFILLMENT)
        return say(to.fulfillment(done))
    invoiced = outcome.get(InvoiceResult)
    if invoiced is not None:
        slots.invoice = InvoiceSlot()
        resume = state.resume
        state.resume = Awaiting.NOTHING
        turn.expect(resume, Task.RESERVATION if resume != Awaiting.NOTHING else Task.NONE)
        return say(t.with_resume(to.invoice(invoiced), state))
    handed = outcome.get(HandoffResult)
    if handed is not None:
        again = slots.handoff_lead == handed.lead_id  # a detail added to the open case
        slots.handoff_lead = handed.lead_id
        slots.handoff_kind = handed.kind
        turn.expect(Awaiting.NOTHING)
        return say(ts.HANDOFF_UPDATED if again else ts.handoff(handed))
    stock = outcome.get(BranchStock)
    if stock is not None:
        slots.branch = stock.branch_code
        text = tc.branch_stock(stock)
        if slots.folio and any(i.available >= stock.quantity for i in stock.items):
            turn.expect(Awaiting.CHANGE_CONFIRM, Task.RESERVATION)
            return say(f"{text}\n\n¿Quieres que cambie tu apartado {slots.folio} a esa sucursal?")
        if slots.chosen_sku and any(i.available >= stock.quantity for i in stock.items):
            turn.expect(Awaiting.RESERVE_CONFIRM, Task.QUOTE)
            return say(f"{text}\n\n¿Te las aparto ahí?")
        return say(t.with_resume(text, state))
    services = outcome.get(ServicePrices)
    if services is not None:
        return say(t.with_resume(tc.services(services), state))
    branches = outcome.get(Branches)
    if branches is not None:
        weekday = t.asked_weekday(turn.text)
        return say(t.with_resume(tc.branches(branches, state.slots.branch, weekday), state))
    terms = outcome.get(CustomerTerms)
    if terms is not None:
        return say(t.with_resume(tc.terms(terms), state))
    return say(t.ASK_AGAIN)


def _order_answer(turn: Turn, result: OrderStatus) -> AIMessage:
    state, slots = turn.state, turn.state.slots
    topics = turn.topics()
    if result.order is None:
        if result.candidates:
            turn.expect(Awaiting.ORDER_CHOICE, Task.ORDER_STATUS)
            slots.order_choices = {c.folio: c.description for c in result.candidates}
        return say(to.order_status(result))
    order = result.order
    slots.order_folio = order.folio
    if slots.branch is None:
        slots.branch = order.branch.code  # "¿y dónde es exactamente?": that order's branch
    if other_order(turn):
        return say(t.with_resume(to.order_status(result), state))
    if Topic.HOLD_PERIOD in topics:
        return say(t.with_resume(to.hold(order), state))
    if Topic.BALANCE in topics:
        return say(t.with_resume(to.balance(order), state))
    if order.delivery is not None and order.delivery.late:
        turn.expect(Awaiting.HANDOFF_CONFIRM, Task.ORDER_STATUS)
        return say(to.order_status(result))
    if state.awaiting in (Awaiting.ORDER_CHOICE, Awaiting.FOLIO):
        turn.expect(Awaiting.NOTHING, Task.ORDER_STATUS)
    return say(t.with_resume(to.order_status(result), state))


def refusal(turn: Turn, tool: str, error: str) -> AIMessage:
    """A tool said no: tell the customer why and what can be done."""
    slots = turn.state.slots
    if tool == "request_invoice":
        lowered = error.lower()
        for field, words in (
            ("rfc", ("rfc",)),
            ("regime", ("régimen", "regimen")),
            ("use", ("uso",)),
            ("zip_code", ("postal", "cp")),
            ("name", ("nombre", "razón", "razon")),
        ):
            if any(w in lowered for w in words):
                setattr(slots.invoice, field, None)
                break
        turn.expect(Awaiting.INVOICE_DATA, Task.INVOICE)
        return say(f"{ts.tool_error(tool, error)} {t.ask_invoice_field(turn.state)}")
    if tool in ("cancel_reservation", "change_reservation") and "apartado" in error.lower():
        slots.folio = None
    if tool == "create_reservation" and slots.chosen_sku:
        turn.expect(Awaiting.RESERVE_CONFIRM, Task.QUOTE)
    return say(ts.tool_error(tool, error))
