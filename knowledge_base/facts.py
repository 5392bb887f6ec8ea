"""Business figures in the hand-written documents come from their source of truth at ingest.

A document writes ``{{precio:balancing}}`` or ``{{anticipo}}`` instead of a number, so a price
change in ``domain.services`` or a deposit change in the settings reaches the answers at the next
ingestion; a placeholder nobody defines is an error, never printed to a customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from core.settings import Settings
from domain.pricing import format_mxn, with_iva
from domain.services import MSI_MINIMUM_CENTS, QUOTE_VALID_DAYS, SERVICES

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+(?::[a-z_0-9]+)?)\s*\}\}")


_METHODS = {"cash": "efectivo", "card": "tarjeta de crédito o débito", "transfer": "transferencia"}


def _spanish_list(items: list[str]) -> str:
    return " y ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def business_facts(settings: Settings) -> dict[str, str]:
    """Every placeholder the documents may use, rendered in Spanish."""
    facts: dict[str, str] = {}
    for service in SERVICES:
        price = with_iva(service.price_cents)
        facts[f"precio:{service.code}"] = (
            f"{format_mxn(price)} por {service.unit} (IVA incluido)"
            if price
            else "gratis con la compra de las llantas"
        )
    terms = sorted(MSI_MINIMUM_CENTS.items())
    facts["msi"] = ", ".join(
        f"{months} meses sin intereses en compras desde {format_mxn(minimum)}"
        for months, minimum in terms
    )
    facts["msi_minimo"] = format_mxn(terms[0][1])
    facts["anticipo"] = format_mxn(settings.payments.deposit_cents)
    facts["apartado_horas"] = str(settings.reservation_hold_hours)
    facts["liga_horas"] = str(settings.payments.link_ttl_hours)
    facts["cotizacion_dias"] = str(QUOTE_VALID_DAYS)
    methods = [_METHODS[m] for m in settings.payments.counter_methods]
    facts["pago_mostrador"] = _spanish_list(methods)
    online = ["tarjeta de crédito o débito con la liga de pago"]
    if settings.payments.spei_transfers:
        online.append("transferencia SPEI")
    if settings.payments.oxxo_vouchers:
        online.append("ficha de pago en OXXO")
    facts["pago_en_linea"] = _spanish_list(online)
    return facts


def render(text: str, facts: Mapping[str, str], *, source: str) -> str:
    """``text`` with its placeholders replaced; ValueError names an unknown one."""

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in facts:
            known = ", ".join(sorted(facts))
            raise ValueError(f"{source}: unknown placeholder {{{{{key}}}}}; known: {known}")
        return facts[key]

    return _PLACEHOLDER.sub(sub, text)
