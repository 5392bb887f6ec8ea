"""Policies of the support, inventory and logistics agents: honest about what they do today."""

from __future__ import annotations

from langchain_core.messages import AIMessage

from adapters.llm.offline import templates as t
from adapters.llm.offline.brain import Turn, call, parse_result, say

CARE = (
    "Te comparto lo básico 🔧\n"
    "• La presión correcta viene en la etiqueta del marco de la puerta del conductor (o en el "
    "manual); revísala en frío, cada 15 días.\n"
    "• Rota tus llantas en cada servicio de tu auto para que se gasten parejo.\n"
    "• El código DOT termina en 4 dígitos: semana y año de fabricación (ej. 2324 = semana 23 "
    "de 2024).\n"
    "¿Quieres que un técnico revise tus llantas? Te paso con uno."
)
PROBLEM = (
    "Lamento el problema 😟 Por seguridad, si la llanta pierde aire, tiene chipotes o vibra "
    "mucho, evita carretera y velocidad alta. Eso se debe revisar en el taller. ¿Te paso con un "
    "técnico para que revise tu caso?"
)
WARRANTY = (
    "Claro, te ayudo con la garantía. ¿Me compartes el folio de tu compra (ej. TL-000123)? Un "
    "técnico revisa la llanta y te dice si aplica."
)
NOT_YET_INVENTORY = (
    "Los pronósticos de demanda y las sugerencias de compra todavía no están listos en este "
    "asistente. Por ahora te doy existencias por medida, marca y sucursal, y la lista de "
    "productos en punto de reorden."
)
NOT_YET_LOGISTICS = (
    "La reprogramación de entregas y las rutas todavía las maneja una persona del equipo. ¿Te "
    "paso con alguien de logística? Mientras, puedo decirte el estado de tu pedido."
)


def _common(turn: Turn) -> AIMessage | None:
    pending = turn.pending_result()
    if pending is None:
        return None
    tool, content = pending
    data = parse_result(content)
    if data is None:
        return say(t.tool_error(tool, content))
    renderers = {
        "get_order_status": t.order_status,
        "handoff_to_human": t.handoff,
        "check_stock": t.stock,
        "list_low_stock": t.low_stock,
    }
    render = renderers.get(tool)
    return say(render(data)) if render else say(t.ASK_AGAIN)


def support(turn: Turn) -> AIMessage:
    """Warranty, problems and care; a yes hands the case to a technician."""
    done = _common(turn)
    if done is not None:
        return done
    intent, e = turn.intent, turn.entities
    if intent in ("affirm", "human_handoff") or (e.folios and intent == "warranty_claim"):
        reason = (
            "Garantía " + e.folios[0] if e.folios else "Revisión técnica solicitada por el cliente"
        )
        return call("handoff_to_human", reason=reason)
    if intent == "warranty_claim" or e.folios:
        if e.folios:  # a warranty is judged by a technician with the purchase in hand
            return call("handoff_to_human", reason=f"Garantía del folio {e.folios[0]}")
        return say(WARRANTY)
    if intent == "tire_problem":
        return say(PROBLEM)
    if intent == "deny":
        return say("Va, aquí sigo por si necesitas algo más 🙂")
    return say(CARE)


def inventory(turn: Turn) -> AIMessage:
    """Stock questions from staff."""
    done = _common(turn)
    if done is not None:
        return done
    e = turn.entities
    branch = e.branches[0] if e.branches else None
    if turn.intent == "low_stock":
        return call("list_low_stock", branch_code=branch)
    if turn.intent in ("reorder", "demand_forecast"):
        return say(NOT_YET_INVENTORY)
    if e.sizes or e.brands:
        return call(
            "check_stock",
            size=e.sizes[0] if e.sizes else None,
            brand=e.brands[0] if e.brands else None,
            branch_code=branch,
        )
    return say("¿De qué medida o marca reviso existencias, y en qué sucursal?")


def logistics(turn: Turn) -> AIMessage:
    """Order status; rescheduling and routes are handed to a person for now."""
    done = _common(turn)
    if done is not None:
        return done
    e = turn.entities
    if turn.intent in ("affirm", "human_handoff"):
        return call(
            "handoff_to_human", reason="Logística: el cliente pidió atención de una persona"
        )
    if turn.intent in ("delivery_reschedule", "route_planning"):
        return say(NOT_YET_LOGISTICS)
    return call("get_order_status", folio=e.folios[0] if e.folios else None)
