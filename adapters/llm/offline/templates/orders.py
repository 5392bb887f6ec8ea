"""Reservations, changes and cancellations, payments, pickup and home visits, invoices, order
status."""

from __future__ import annotations

from adapters.llm.offline.templates import common as t
from domain.clock import to_mexico
from domain.dialogue import FulfillmentMode, TimeWindow
from domain.pricing import format_mxn
from domain.spanish import local_day, local_moment, weekday_day_month
from domain.tool_results import (
    CancellationResult,
    FulfillmentInfo,
    FulfillmentResult,
    InvoiceResult,
    OrderDetails,
    OrderStatus,
    PaymentLinkResult,
    PaymentOptions,
    ReservationResult,
)

INSTALL_QUESTION = "¿Prefieres que vayamos a tu casa o vienes al taller? 🔧"
WINDOW_ES = {
    TimeWindow.MORNING: "en la mañana (9 a 13 h)",
    TimeWindow.AFTERNOON: "en la tarde (13 a 17 h)",
    TimeWindow.EVENING: "en la tarde-noche (17 a 20 h)",
}
STATUS_ES = {
    "quote": "es una cotización",
    "reserved": "está apartado (pendiente de pago)",
    "paid": "está confirmado y lo estamos preparando",
    "ready_for_pickup": "está listo para recoger",
    "out_for_delivery": "va en camino 🚚",
    "delivered": "ya fue entregado",
    "cancelled": "está cancelado",
    "returned": "fue devuelto",
}


def _same_items(description: str, order: OrderDetails) -> bool:
    """Whether a change kept the tires and quantities (only the branch moved); the tools
    describe an order as ``4 x Michelin Primacy SUV+ 235/55R19``, lines joined with "y"."""
    return description == " y ".join(f"{i.quantity} x {i.description}" for i in order.items)


def _items(order: OrderDetails) -> str:
    return "; ".join(f"{i.quantity} {i.description}" for i in order.items)


def _visit(f: FulfillmentInfo, branch_name: str, address: str) -> str:
    when = ""
    if f.day:
        when = f" el {weekday_day_month(f.day)}"
    if f.window:
        when += f" {WINDOW_ES[f.window]}"
    if f.mode == FulfillmentMode.DELIVERY:
        where = f" en {f.address}" if f.address else ""
        return f"Instalación a domicilio{when}{where}."
    return f"Te esperamos{when} en {branch_name}, {address.rstrip('.')}."


def reservation(result: ReservationResult, *, ask_install: bool) -> str:
    """A reservation made, repeated, changed or replaced."""
    order = result.order
    branch = order.branch
    items = _items(order)
    if result.change == "unchanged":
        head = [
            f"Ya tienes apartadas {items} con el folio {order.folio} en {branch.name} "
            f"({branch.city}) 👍"
        ]
    elif result.change in ("modified", "replaced"):
        previous = result.previous_description
        same_items = previous is not None and _same_items(previous, order)
        before = f" (antes: {previous})" if previous and not same_items else ""
        head = [f"¡Listo! Cambié tu apartado {order.folio}: ahora son {items}{before}."]
        if result.moved_from and same_items:
            head = [
                f"¡Listo! Pasé tu apartado {order.folio} de {result.moved_from} a {branch.name} "
                f"({branch.city}): {items}."
            ]
        elif result.moved_from:
            head.append(f"Ahora te las guardamos en {branch.name} ({branch.city}).")
    else:
        head = [
            f"¡Perfecto! Sí tengo stock en {branch.name} ({branch.city}).",
            f"Te aparté {items}. Folio: {order.folio}",
        ]
    lines = [*head, f"Total: {format_mxn(order.total_cents)}"]
    if order.fulfillment.mode == FulfillmentMode.DELIVERY or order.fulfillment.day:
        lines.append(_visit(order.fulfillment, branch.name, branch.address))
    if order.held_until is not None:
        hours = round((order.held_until - order.created_at).total_seconds() / 3600)
        span = (
            f" ({hours} horas para pagar el anticipo)"
            if result.change == "created" and hours
            else ""
        )
        lines.append(f"El apartado se mantiene hasta el {local_moment(order.held_until)}{span}.")
    f = order.fulfillment
    if order.held_until is not None and f.day and f.day >= to_mexico(order.held_until).date():
        lines.append(
            f"Paga el anticipo antes de que venza el apartado y te las guardamos hasta el "
            f"{weekday_day_month(f.day)} sin problema."
        )
    link = order.payment
    if link is not None and link.status == "pending":
        verb = (
            "Te envío el nuevo link"
            if result.change in ("modified", "replaced")
            else "Te envío el link"
        )
        lines.append(
            f"{verb} de pago para confirmar el apartado con {format_mxn(link.amount_cents)}:\n"
            f"💳 {link.url}"
        )
    if ask_install:
        lines.append(INSTALL_QUESTION)
    return "\n".join(lines)


def cancellation(result: CancellationResult) -> str:
    """A reservation cancelled and its stock released."""
    released = "; ".join(f"{i.quantity} {i.description}" for i in result.released)
    lines = [f"Listo, cancelé tu apartado {result.folio} y liberé {released or 'las llantas'}."]
    if result.paid_cents:
        lines.append(
            f"Tu pago de {format_mxn(result.paid_cents)} se reembolsa: un asesor ya tiene tu caso "
            "y te contacta para hacerlo."
        )
    lines.append("Si cambias de opinión, con gusto te vuelvo a cotizar 🙂")
    return "\n".join(lines)


def payment_link(result: PaymentLinkResult) -> str:
    """The link to pay now."""
    link = result.link
    what = "el anticipo" if result.purpose == "deposit" else "el saldo"
    lines = [
        f"Claro, aquí está el link para pagar {what} de tu pedido {result.folio} "
        f"({format_mxn(link.amount_cents)}):",
        f"💳 {link.url}",
        f"Vence el {local_moment(link.expires_at)}.",
    ]
    return "\n".join(lines)


def hold(order: OrderDetails) -> str:
    """How long a reservation holds the tires."""
    if order.status != "reserved" or order.held_until is None:
        if order.status in ("paid", "ready_for_pickup"):
            return (
                f"Tu pedido {order.folio} ya está confirmado con tu pago, así que tus llantas "
                "están guardadas y no vencen 👍"
            )
        return f"Tu pedido {order.folio} {STATUS_ES.get(order.status, order.status)}."
    hours = round((order.held_until - order.created_at).total_seconds() / 3600)
    span = f", {hours} horas desde que las apartaste" if 0 < hours <= 96 else ""
    return (
        f"Tus llantas quedan apartadas hasta el {local_moment(order.held_until)} (folio "
        f"{order.folio}{span}). Si pagas el anticipo antes, se quedan guardadas para ti hasta "
        "que pases por ellas."
    )


def hold_policy(hours: int | None, deposit_cents: int) -> str:
    """The hold rule when there is no reservation yet."""
    span = f"{hours} horas" if hours else "un par de días"
    return (
        f"Cuando te las aparto, te las guardamos {span} para que pagues el anticipo de "
        f"{format_mxn(deposit_cents)}; ya pagado, se quedan guardadas hasta que pases por ellas."
    )


def balance(order: OrderDetails) -> str:
    """What has been paid and what is left."""
    lines = [f"Tu pedido {order.folio} es de {format_mxn(order.total_cents)}."]
    if order.paid_cents:
        lines.append(
            f"Ya pagaste {format_mxn(order.paid_cents)}; te falta {format_mxn(order.balance_cents)}."
        )
    else:
        lines.append(f"Aún no registro pagos: el saldo es {format_mxn(order.balance_cents)}.")
        if order.status == "reserved" and order.deposit_cents:
            rest = order.total_cents - order.deposit_cents
            lines.append(
                f"Con el anticipo de {format_mxn(order.deposit_cents)} apartas, y los "
                f"{format_mxn(rest)} restantes los pagas al recibir tus llantas."
            )
    if order.balance_cents and order.paid_cents:
        lines.append("El resto lo pagas al recibir tus llantas, o te mando un link si prefieres.")
    return "\n".join(lines)


METHOD_ES = {
    "oxxo": "en OXXO",
    "transfer": "por transferencia (SPEI)",
    "cash": "en efectivo",
    "card": "con tarjeta",
    "paypal": "con PayPal o Mercado Pago",
}


def payment_options(result: PaymentOptions, asked: str | None, *, financing: bool = False) -> str:
    """Honest answer about how to pay, starting with what was asked: a method, months without
    interest, or promotions."""
    online = " o ".join(result.online_methods) if result.online_methods else ""
    store = " o ".join(result.in_store_methods) if result.in_store_methods else ""
    msi = ", ".join(
        f"{t.months} meses desde {format_mxn(t.monthly_cents)}" for t in result.msi_minimums
    )
    lines: list[str] = []
    if asked == "promo":
        lines.append("¡Claro! Hoy tienes la instalación GRATIS con tus llantas 🔧")
        if msi:
            lines.append(f"Y meses sin intereses con tarjeta de crédito: {msi} de compra 💳")
        lines.append("¿Para qué auto buscas? Te cotizo con eso.")
        return "\n".join(lines)
    if asked is not None:
        accepted = {
            "oxxo": result.cash_voucher,
            "transfer": result.bank_transfer,
            "cash": any("efectivo" in m for m in result.in_store_methods),
            "card": any("tarjeta" in m for m in result.online_methods + result.in_store_methods),
            "paypal": False,
        }.get(asked, False)
        where = METHOD_ES.get(asked, "así")
        if accepted and asked == "cash":
            lines.append("¡Sí! En efectivo puedes pagar en la sucursal, al recoger o en mostrador.")
        elif accepted:
            lines.append(f"¡Sí! Puedes pagar {where}.")
        else:
            lines.append(f"Por ahora no aceptamos pagos {where} 🙏")
    if financing and msi:
        lines.append(f"¡Sí! Meses sin intereses con tarjeta de crédito: {msi} de compra 💳")
    if online:
        lines.append(f"El link de pago acepta {online}.")
    if store:
        lines.append(f"En sucursal puedes pagar con {store}.")
    if msi and not financing:
        lines.append(f"Meses sin intereses con tarjeta de crédito: {msi} de compra.")
    return "\n".join(lines)


def fulfillment(result: FulfillmentResult) -> str:
    """Pickup or a home visit recorded on the order."""
    f = result.fulfillment
    if result.branch is None or result.folio is None:
        if f.mode == FulfillmentMode.DELIVERY:
            return "¡Claro! También instalamos a domicilio 🏠 En cuanto apartes tus llantas agendamos el día."
        return "¡Va! Cuando apartes tus llantas te digo en qué sucursal recogerlas."
    if f.mode == FulfillmentMode.PICKUP:
        that_day = t.day_hours(result.branch.hours, f.day.weekday()) if f.day else None
        opening = f" Ese día {that_day}." if that_day else ""
        return (
            "¡Perfecto! Quedó registrado: recoges en sucursal. "
            + _visit(f, result.branch.name, result.branch.address)
            + opening
            + f" Al llegar menciona tu folio {result.folio} y te las instalamos 🔧"
        )
    if result.missing:
        return "¡Va, instalación a domicilio! " + _ask_missing(result)
    return (
        f"¡Listo! Agendé la instalación a domicilio de tu pedido {result.folio}: "
        + _visit(f, result.branch.name, result.branch.address)
        .removeprefix("Instalación a domicilio")
        .strip()
        + " El técnico te llama antes de llegar 🔧"
    )


def _ask_missing(result: FulfillmentResult) -> str:
    wants = {
        "address": "la dirección (calle, número, colonia y código postal)",
        "day": "qué día te queda",
        "window": "si prefieres mañana o tarde",
    }
    asked = [wants[m] for m in result.missing]
    listed = asked[0] if len(asked) == 1 else ", ".join(asked[:-1]) + " y " + asked[-1]
    return f"Para agendarla pásame {listed} 🏠"


def invoice(result: InvoiceResult) -> str:
    """The CFDI receiver data recorded on the order."""
    i = result.invoice
    return (
        f"¡Listo! Registré tus datos de factura en el pedido {result.folio}:\n"
        f"RFC {i.rfc} · {i.name}\nRégimen {i.regime} ({i.regime_name}) · Uso {i.use} "
        f"({i.use_name}) · CP {i.zip_code}\n"
        "Tu factura (CFDI 4.0) se emite cuando se liquida el pedido y te llega por correo o aquí."
    )


INVOICE_START = (
    "¡Claro que sí facturamos! 🧾 Para tu CFDI necesito: RFC, nombre o razón social, régimen "
    "fiscal, uso de CFDI y código postal fiscal. Puedes pasármelos todos juntos o uno por uno."
)
INVOICE_NO_ORDER = (
    "¡Claro que sí facturamos! 🧾 Cuando apartes o compres tus llantas, me pasas tu RFC, razón "
    "social, régimen fiscal, uso de CFDI y código postal y los registro en tu pedido."
)


def order_status(result: OrderStatus) -> str:
    """The order the customer means, or the list to choose from."""
    if result.order is None:
        if not result.candidates:
            return "No encontré pedidos a tu nombre. Si tienes el folio (ej. TL-000123), pásamelo."
        lines = ["Tienes varios pedidos activos:"]
        for c in result.candidates:
            lines.append(f"• {c.folio}: {c.description} ({STATUS_ES.get(c.status, c.status)})")
        lines.append("¿De cuál me preguntas?")
        return "\n".join(lines)
    order = result.order
    lines = [f"Tu pedido {order.folio} {STATUS_ES.get(order.status, order.status)}."]
    lines.append(f"Incluye: {_items(order)}. Total {format_mxn(order.total_cents)}.")
    delivery = order.delivery
    if delivery is not None and delivery.late:
        days = f"{delivery.days_late} día{'s' if delivery.days_late != 1 else ''}"
        lines[0] = (
            f"Una disculpa 🙏 tu pedido {order.folio} viene retrasado: la entrega era el "
            f"{local_day(delivery.window_start)} y lleva {days} de atraso."
        )
        lines.append(
            "No quiero darte una hora que no pueda cumplir: ¿te paso con logística para que te "
            "confirmen la llegada hoy mismo?"
        )
        return "\n".join(lines)
    if delivery is not None and order.status in ("paid", "out_for_delivery", "ready_for_pickup"):
        start, end = to_mexico(delivery.window_start), to_mexico(delivery.window_end)
        lines.append(
            f"Entrega programada: {local_day(delivery.window_start)} entre {start:%H:%M} y "
            f"{end:%H:%M}."
        )
    elif order.fulfillment.mode == FulfillmentMode.DELIVERY or order.fulfillment.day:
        lines.append(_visit(order.fulfillment, order.branch.name, order.branch.address))
    if order.status == "ready_for_pickup":
        b = order.branch
        hours = t.hours(b.hours)
        lines.append(
            f"Para recogerlo trae tu folio {order.folio} y una identificación oficial (si va otra "
            f"persona, que traiga el folio y su INE). Te esperamos en {b.name}, "
            f"{b.address.rstrip('.')}" + (f"; horario {hours}." if hours else ".")
        )
    elif order.status == "paid" and order.fulfillment.mode == FulfillmentMode.PICKUP:
        lines.append(
            "Ya quedó pagado ✅ Lo estamos preparando; te avisamos por aquí en cuanto puedas pasar "
            "por él 🙌"
        )
    if order.paid_cents and order.balance_cents:
        lines.append(
            f"Llevas pagado {format_mxn(order.paid_cents)}; falta {format_mxn(order.balance_cents)}."
        )
    if order.status == "reserved" and order.held_until is not None:
        lines.append(f"El apartado vence el {local_moment(order.held_until)}.")
    return "\n".join(lines)
