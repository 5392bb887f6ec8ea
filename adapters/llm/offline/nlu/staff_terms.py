"""Staff vocabulary: which report a question asks for, its period ("este mes", "el mes
pasado", "octubre"), its breakdown ("por sucursal") and a transfer's route ("de mty a gdl").

Read on the normalised text (lower case, no accents). Pure functions, no state.
"""

from __future__ import annotations

import re
from datetime import date

from adapters.llm.offline.nlu import acts
from domain.dialogue import StaffReport
from domain.periods import Period
from domain.spanish import MONTHS

_MONTH_WORDS = {name: n for n, name in enumerate(MONTHS, 1)} | {"setiembre": 9}
_MONTH = re.compile(r"\b(?:en |de |del mes de |mes de )?(" + "|".join(_MONTH_WORDS) + r")\b")
_PERIODS: tuple[tuple[re.Pattern[str], Period], ...] = (
    (re.compile(r"\b(?:mes pasado|mes anterior|ultimo mes completo)\b"), Period.LAST_MONTH),
    (re.compile(r"\b(?:semana pasada|semana anterior)\b"), Period.LAST_WEEK),
    (re.compile(r"\b(?:esta semana|en la semana|de la semana|semanal)\b"), Period.THIS_WEEK),
    (
        re.compile(r"\b(?:este mes|del mes|en el mes|el mes|mensual|en lo que va del mes)\b"),
        Period.THIS_MONTH,
    ),  # fmt: skip
    (
        re.compile(r"\b(?:este ano|en el ano|del ano|en lo que va del ano)\b(?! pasado)"),
        Period.THIS_YEAR,
    ),  # fmt: skip
    (re.compile(r"\bayer\b"), Period.YESTERDAY),
    (re.compile(r"\bhoy\b"), Period.TODAY),
    (
        re.compile(r"\b(?:ultimos|ultimas) (?:3 meses|tres meses|90 dias)\b|\btrimestre\b"),
        Period.LAST_90_DAYS,
    ),  # fmt: skip
    (re.compile(r"\b(?:ultimos|ultimas) (?:7 dias|siete dias)\b"), Period.LAST_7_DAYS),
    (re.compile(r"\b(?:ultimos|ultimas) (?:30 dias|treinta dias)\b"), Period.LAST_30_DAYS),
)
_COMPARED = re.compile(
    r"\b(?:vs|versus|contra|comparad[oa] con|frente a|respecto a?l?) (?:el |la |lo del? )?"
    r"(?:mes pasado|mes anterior|semana pasada|ano pasado)\b"
)
_DAYS = re.compile(r"\bultim[oa]s? (\d{1,3}) dias\b")
_NEXT = re.compile(
    r"\b(?:mes q viene|mes que viene|proximo mes|siguiente mes|prox mes|mes entrante|"
    r"siguientes? (\d{1,2}) semanas|proximas? (\d{1,2}) semanas)\b"
)

VALUE = re.compile(
    r"\b(?:valor|vale|valen|cuesta|dinero|capital|lana)\b.{0,40}\binventario\b|"
    r"\binventario\b.{0,40}\b(?:valor|vale|valen|cuesta|dinero|a costo)\b|\brotacion\b|"
    r"\bvueltas? (?:de|al) inventario\b|\bdias de inventario\b|\bparado en inventario\b"
)
SALES = re.compile(
    r"\b(?:vendimos|vendio|vendieron|venta|ventas|facturamos|facturado|llevamos vendido|"
    r"se vendio|se vendieron|vendido|vendidas|vendidos)\b"
)
LEADERS = re.compile(
    r"\b(?:q|que|cual|cuales) (?:marca|marcas|medida|medidas|sucursal)\b.{0,30}\bmas\b"
)
GROUPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:por|x|cada|por cada) sucursal\w*|\bq sucursal|\bque sucursal"), "branch"),
    (re.compile(r"\b(?:por|x) marcas?\b|\b(?:q|que|cual) marcas?\b"), "brand"),
    (re.compile(r"\b(?:por|x) medidas?\b|\b(?:q|que|cual) medidas?\b"), "size"),
    (re.compile(r"\b(?:por|x) lineas?\b|\b(?:q|que|cual) lineas?\b"), "line"),
)
ALERTS = re.compile(r"\balertas?\b|\bcriticos?\b|\bcriticas?\b|\burgentes?\b")
REORDER = re.compile(
    r"\b(?:pedir|pedimos|pido|pidamos|pedirle|pedirles|comprar|compramos|compremos|resurtir|"
    r"surtir|reordenar|orden de compra|ordenes de compra|proveedor\w*|reabastec\w*)\b"
)
FORECAST = re.compile(
    r"\b(?:pronostic\w*|proyecci\w*|proyectad\w*|se va a vender|se van a vender|vamos a vender|"
    r"venderemos|demanda|se espera vender|esperamos vender)\b"
)
TRENDING = re.compile(
    r"\b(?:crec\w*|van subiendo|subiendo|al alza|a la baja|van bajando|bajando|tendencia\w*|"
    r"en aumento|declin\w*|cayendo|de moda|pegando)\b"
)
SLOW_AGED = re.compile(
    r"\b(?:viej\w*|antigu\w*|dot|caduc\w*|obsolet\w*|muert\w*|huesos?|anej\w*|"
    r"mucho tiempo en (?:bodega|almacen)|lento movimiento|lentos?)\b"
)
MOVE = re.compile(
    r"\b(?:pasa|pasar|pasale|pasen|pasamos|manda|mandar|mandale|manden|mandamos|mueve|mover|"
    r"movemos|muevan|traspas\w*|transfer\w*|envia|enviar|envien|enviamos|llevar|lleva)\b"
)
_ROUTE = re.compile(
    r"\bde (?:la de |la sucursal de )?(\w+)\b.{0,20}?\b(?:a|para|hacia) (?:la de )?(\w+)\b"
)
_STOCK = re.compile(
    r"\b(?:cuantas|cuantos|cuanta|q tantas|que tantas|hay|tenemos|tienen|existencias?|stock|"
    r"inventario|quedan|disponibles?)\b"
)


def report_of(text: str, intent: str) -> StaffReport | None:
    """The report a staff message asks for, if it names one."""
    worst = bool(acts.WORST_SELLERS.search(text))
    if VALUE.search(text):
        return StaffReport.VALUE
    if (
        FORECAST.search(text)
        or (_NEXT.search(text) and SALES.search(text))
        or intent == "demand_forecast"
    ):
        return StaffReport.FORECAST
    if MOVE.search(text) and (_ROUTE.search(text) or "sucursal" in text):
        return StaffReport.TRANSFERS
    if ALERTS.search(text):
        return StaffReport.ALERTS
    if SLOW_AGED.search(text):
        return StaffReport.SLOW
    if TRENDING.search(text) and not worst:
        return StaffReport.TRENDING
    if REORDER.search(text) or intent == "reorder":
        return StaffReport.REORDER
    if worst:
        return StaffReport.WORST
    if acts.BEST_SELLERS.search(text) and not LEADERS.search(text):
        return StaffReport.BEST
    if SALES.search(text) or LEADERS.search(text) or intent == "sales_report":
        return StaffReport.SALES
    if acts.LOW_STOCK.search(text) or intent == "low_stock":
        return StaffReport.LOW
    return None


def asks_stock(text: str) -> bool:
    """ "cuantas hay", "tenemos", "inventario de ...": a stock question."""
    return bool(_STOCK.search(text))


def period_of(text: str, today: date) -> str | None:
    """The period a message names (a domain.periods value), or None; "vs el mes pasado" is
    the comparison every sales answer carries, not the period asked for."""
    text = _COMPARED.sub(" ", text)
    for pattern, period in _PERIODS:
        if pattern.search(text):
            return period.value
    found = _MONTH.search(text)
    if found:
        month = _MONTH_WORDS[found[1]]
        year = today.year if month <= today.month else today.year - 1
        return f"{year:04d}-{month:02d}"
    return None


def days_of(text: str) -> int | None:
    """ "los ultimos 15 dias" -> 15."""
    found = _DAYS.search(text)
    return int(found[1]) if found else None


def weeks_ahead(text: str) -> int | None:
    """The horizon of a forecast question in weeks ("el mes que viene" is about 4)."""
    found = _NEXT.search(text)
    if not found:
        return None
    number = found[1] or found[2]
    return int(number) if number else 4


def group_of(text: str) -> str | None:
    """The breakdown asked for: branch, brand, size or line."""
    for pattern, group in GROUPS:
        if pattern.search(text):
            return group
    return None


def route_of(text: str, branches: tuple[str, ...]) -> tuple[str, str] | None:
    """(from, to) branch codes of "de mty a gdl" when two branches are named in that order."""
    if len(branches) < 2:
        return None
    found = _ROUTE.search(text)
    if found and text.find(found[1]) > text.find(found[2]) >= 0:
        return branches[1], branches[0]
    return branches[0], branches[1]
