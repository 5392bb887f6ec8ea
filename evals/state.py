"""The database end state: a canonical form to compare, what the agent created, assertions."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from domain.clock import as_utc, utcnow
from domain.pricing import price_line, with_iva
from domain.spanish import local_day
from domain.tire_size import parse_tire_size
from evals.models import Action, CaseExpect, InvoiceExpect, LineExpect, OrderExpect
from evals.refs import Created, Resolver, as_ref
from evals.scoring import TurnRecord
from evals.user_sim import FOLIO

State = dict[str, Counter[str]]
# Not counted row by row: logs and bookkeeping every turn writes, and the tables that
# canonical() describes in full.
NOT_COUNTED = frozenset({
    "chat_session", "interaction", "audit_log", "idempotency_record", "api_key", "alembic_version",
    "customer", "orders", "orderline", "reservation", "payment_link", "stock", "lead", "delivery",
})  # fmt: skip
WRITE_TOOLS_KEYS: dict[str, tuple[str, ...]] = {
    "create_reservation": ("sku", "quantity"),
    "change_reservation": ("sku", "quantity"),
    "cancel_reservation": (),
    "set_fulfillment": ("mode",),
    "request_invoice": ("rfc",),
    "handoff_to_human": (),
}


def _rows(conn: Connection, sql: str, **params: Any) -> list[sa.Row[Any]]:
    stmt = sa.text(sql)
    for name, value in params.items():
        if isinstance(value, list | tuple | set):
            stmt = stmt.bindparams(sa.bindparam(name, expanding=True))
    return list(conn.execute(stmt, params).all())


def _customer_key(row: Any) -> str:
    return f"{row.kind}|{row.name}|{row.phone or '-'}"


def _order_signatures(conn: Connection, where: str, **params: Any) -> dict[int, str]:
    customers = {
        r.id: _customer_key(r) for r in _rows(conn, "SELECT id, kind, name, phone FROM customer")
    }
    orders = _rows(
        conn,
        "SELECT o.*, b.code AS branch_code FROM orders o JOIN branch b ON b.id = o.branch_id "
        f"WHERE {where}",
        **params,
    )
    ids = [o.id for o in orders] or [-1]
    lines: dict[int, list[str]] = {}
    for r in _rows(
        conn,
        "SELECT l.order_id, p.sku, l.quantity, l.unit_price_cents, l.discount_cents FROM orderline l "
        "JOIN product p ON p.id = l.product_id WHERE l.order_id IN :ids",
        ids=ids,
    ):
        lines.setdefault(r.order_id, []).append(
            f"{r.sku}x{r.quantity}@{r.unit_price_cents}-{r.discount_cents}"
        )
    held: dict[int, list[str]] = {}
    for r in _rows(
        conn,
        "SELECT r.order_id, p.sku, b.code, r.quantity, r.status FROM reservation r "
        "JOIN product p ON p.id = r.product_id JOIN branch b ON b.id = r.branch_id "
        "WHERE r.order_id IN :ids",
        ids=ids,
    ):
        held.setdefault(r.order_id, []).append(f"{r.sku}@{r.code}x{r.quantity}:{r.status}")
    links: dict[int, list[str]] = {}
    for r in _rows(
        conn,
        "SELECT order_id, amount_cents, status FROM payment_link WHERE order_id IN :ids",
        ids=ids,
    ):
        links.setdefault(r.order_id, []).append(f"{r.amount_cents}:{r.status}")
    deliveries: dict[int, list[str]] = {}
    for r in _rows(conn, "SELECT order_id, status FROM delivery WHERE order_id IN :ids", ids=ids):
        deliveries.setdefault(r.order_id, []).append(str(r.status))
    return {
        o.id: (
            f"order {customers.get(o.customer_id, '?')} @{o.branch_code} {o.status} {o.fulfillment} "
            f"day={o.fulfillment_day} window={o.fulfillment_window} "
            f"address={'yes' if o.fulfillment_address else 'no'} "
            f"{o.channel} total={o.total_cents} discount={o.discount_cents} deposit={o.deposit_cents} "
            f"lines={sorted(lines.get(o.id, []))} held={sorted(held.get(o.id, []))} "
            f"links={sorted(links.get(o.id, []))} deliveries={sorted(deliveries.get(o.id, []))}"
        )
        for o in orders
    }


def _lead_signatures(conn: Connection, where: str, **params: Any) -> list[str]:
    customers = {
        r.id: _customer_key(r) for r in _rows(conn, "SELECT id, kind, name, phone FROM customer")
    }
    return [
        f"lead {customers.get(r.customer_id, 'anonymous')} {r.channel} {r.status}"
        for r in _rows(
            conn, f"SELECT customer_id, channel, status FROM lead WHERE {where}", **params
        )
    ]


StockLevels = dict[tuple[int, int], tuple[int, int]]


def stock_levels(engine: Engine) -> StockLevels:
    """(product id, branch id) -> (on hand, reserved): what copies of one template start from."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT product_id, branch_id, on_hand, reserved FROM stock"))
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def _stock(conn: Connection, baseline: StockLevels | None) -> Counter[str]:
    """Stock rows, or only those that differ from ``baseline`` (same template: same ids)."""
    levels = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(
        sa.text("SELECT product_id, branch_id, on_hand, reserved FROM stock"))}  # fmt: skip
    keys = [k for k, v in levels.items() if baseline is None or baseline.get(k) != v]
    keys += [k for k in (baseline or {}) if k not in levels]
    if not keys:
        return Counter()
    names = {
        (r.pid, r.bid): f"{r.sku}@{r.code}"
        for r in _rows(
            conn,
            "SELECT p.id AS pid, b.id AS bid, p.sku, b.code FROM product p, branch b "
            "WHERE p.id IN :pids",
            pids=sorted({k[0] for k in keys}),
        )
    }
    return Counter(
        f"stock {names.get(k, k)} on_hand={levels[k][0]} reserved={levels[k][1]}"
        if k in levels
        else f"stock {names.get(k, k)} deleted"
        for k in keys
    )


def canonical(
    engine: Engine,
    sessions: Iterable[str] | None = None,
    *,
    stock_baseline: StockLevels | None = None,
) -> State:
    """The business state, free of ids, timestamps and tokens, so equal outcomes compare equal.

    With ``sessions``, only the orders and leads those conversations created (a shared server).
    With ``stock_baseline`` (databases copied from one template), only the stock rows that
    moved away from it are listed, which is what makes comparing whole databases cheap.
    """
    with engine.connect() as conn:
        if sessions is not None:
            sids = sorted(sessions) or ["-"]
            return {
                "orders": Counter(
                    _order_signatures(
                        conn, "o.created_by IN :actors", actors=[f"chat:{s}" for s in sids]
                    ).values()
                ),
                "leads": Counter(_lead_signatures(conn, "session_id IN :sids", sids=sids)),
            }
        state: State = {
            "customers": Counter(
                f"customer {_customer_key(r)} discount={r.discount_bp}"
                for r in _rows(conn, "SELECT kind, name, phone, discount_bp FROM customer")
            ),
            "orders": Counter(_order_signatures(conn, "1 = 1").values()),
            "leads": Counter(_lead_signatures(conn, "1 = 1")),
            "stock": _stock(conn, stock_baseline),
        }
        counts: Counter[str] = Counter()
        for table in sorted(sa.inspect(conn).get_table_names()):
            if table not in NOT_COUNTED:
                n = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
                counts[f"rows in {table}: {n}"] = 1
        state["tables"] = counts
        return state


def state_diff(expected: State, actual: State, limit: int = 12) -> list[str]:
    """What differs, as readable lines: ``- missing`` (expected only), ``+ unexpected``."""
    out: list[str] = []
    for part in sorted(set(expected) | set(actual)):
        want, got = expected.get(part, Counter()), actual.get(part, Counter())
        out += [f"- {row}" for row in sorted((want - got).elements())]
        out += [f"+ {row}" for row in sorted((got - want).elements())]
    return out if len(out) <= limit else [*out[:limit], f"... {len(out) - limit} more"]


def _order_dict(conn: Connection, o: Any) -> dict[str, Any]:
    """One order as the criteria read it (the row must carry ``branch_code``)."""
    lines = _rows(
        conn,
        "SELECT p.sku, p.brand, p.size, p.iva_bp, l.quantity, l.unit_price_cents "
        "FROM orderline l JOIN product p ON p.id = l.product_id WHERE l.order_id = :id "
        "ORDER BY l.id",
        id=o.id,
    )
    holds = _rows(
        conn,
        "SELECT COALESCE(SUM(quantity), 0) AS n, MAX(expires_at) AS until FROM reservation "
        "WHERE order_id = :id AND status = 'active'",
        id=o.id,
    )[0]
    confirmed = _rows(
        conn,
        "SELECT COALESCE(SUM(quantity), 0) AS n FROM reservation "
        "WHERE order_id = :id AND status = 'confirmed'",
        id=o.id,
    )[0].n
    held = int(holds.n) + int(confirmed)
    links = _rows(conn, "SELECT status, expires_at FROM payment_link WHERE order_id = :id", id=o.id)
    now = utcnow()
    pending = sum(
        1 for r in links if r.status == "pending" and as_utc(_instant(r.expires_at)) > now
    )
    invoice = _rows(
        conn, "SELECT rfc, regime, use, zip_code FROM order_invoice WHERE order_id = :id", id=o.id
    )
    return {
        "id": o.id, "folio": o.folio, "status": o.status, "branch": o.branch_code,
        "fulfillment": o.fulfillment, "fulfillment_day": _day(o.fulfillment_day),
        "fulfillment_window": o.fulfillment_window, "fulfillment_address": o.fulfillment_address,
        "notes": o.notes, "discount_cents": o.discount_cents, "total_cents": o.total_cents,
        "deposit_cents": o.deposit_cents, "paid_cents": o.paid_cents,
        "balance_cents": o.total_cents - o.paid_cents,
        "after_deposit_cents": o.total_cents - max(o.deposit_cents, o.paid_cents), "held": held,
        # How a reply names the end of the hold: "martes 1 de diciembre" (Mexico City time).
        "held_until_day": local_day(_instant(holds.until)) if holds.until else None,
        "payment_links": len(links), "pending_links": pending,
        "invoice": dict(invoice[0]._mapping) if invoice else None,
        "lines": [
            {"sku": r.sku, "brand": r.brand, "size": r.size, "quantity": r.quantity,
             "unit_price_cents": with_iva(r.unit_price_cents, r.iva_bp)}
            for r in lines
        ],
    }  # fmt: skip


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


ORDER_SELECT = (
    "SELECT o.*, b.code AS branch_code FROM orders o JOIN branch b ON b.id = o.branch_id "
)


def order_by_folio(engine: Engine, folio: str) -> dict[str, Any] | None:
    """An existing order by its folio, as the criteria read it (None when there is none)."""
    with engine.connect() as conn:
        rows = _rows(conn, ORDER_SELECT + "WHERE o.folio = :folio", folio=folio)
        return _order_dict(conn, rows[0]) if rows else None


def _case_dict(conn: Connection, row: Any) -> dict[str, Any]:
    """One support case as the criteria read it, with the counts of its trail's kinds."""
    kinds = Counter(
        str(r.kind) for r in _rows(conn, "SELECT kind FROM case_event WHERE case_id = :id",
                                   id=row.id)
    )  # fmt: skip
    codes = row.problem_codes
    if isinstance(codes, str):  # JSON as text, depending on the driver
        codes = json.loads(codes)
    return {
        "id": row.id, "number": row.number, "status": row.status, "priority": row.priority,
        "problem_kind": row.problem_kind, "problem_codes": list(codes or []),
        "order_folio": row.order_folio, "assignee": row.assignee,
        "resolution_code": row.resolution_code, "resolution_note": row.resolution_note,
        "session_id": row.session_id, "replies": kinds["reply"], "comments": kinds["comment"],
        "customer_messages": kinds["customer_message"],
    }  # fmt: skip


def case_by_number(engine: Engine, number: str) -> dict[str, Any] | None:
    """A support case by its number, as the criteria read it (None when there is none)."""
    with engine.connect() as conn:
        rows = _rows(conn, "SELECT * FROM support_case WHERE number = :n", n=number)
        return _case_dict(conn, rows[0]) if rows else None


def _listed(want: Any) -> list[str]:
    return [str(w) for w in (want if isinstance(want, list) else [want])]


def case_problems(
    want: CaseExpect, got: dict[str, Any], resolver: Resolver, *, technician: str | None = None
) -> list[str]:
    """Why a case is not the expected one (empty when it is); only the fields given count.
    ``technician``: the task's technician's key prefix (``assigned`` then means theirs)."""
    problems = []
    missing = [c for c in want.problem_codes if c not in got["problem_codes"]]
    if missing:
        problems.append(f"problem codes {got['problem_codes']} lack {missing}")
    for name in ("priority", "status", "resolution_code"):
        wanted = getattr(want, name)
        if wanted is not None and str(got[name]) not in _listed(wanted):
            problems.append(f"{name} {got[name]} instead of {' or '.join(_listed(wanted))}")
    folio = want.order_folio
    if isinstance(folio, bool):
        if folio != bool(got["order_folio"]):
            problems.append("order folio " + ("missing" if folio else f"{got['order_folio']} set"))
    elif folio is not None:
        ref = as_ref(folio)
        expected = str(resolver.raw(ref) if ref is not None else folio)
        if str(got["order_folio"] or "").upper() != expected.upper():
            problems.append(f"order folio {got['order_folio']} instead of {expected}")
    if want.assigned is not None:
        mine = got["assignee"] is not None and technician in (None, got["assignee"])
        if want.assigned != mine:
            who = "the task's technician" if technician else "a technician"
            problems.append(f"assignee {got['assignee']}: " + (
                f"not {who}" if want.assigned else "assigned but should not be"))  # fmt: skip
    for name, key in (("replied", "replies"), ("noted", "comments")):
        wanted = getattr(want, name)
        if wanted is not None and wanted != bool(got[key]):
            problems.append(
                f"{got[key]} {key}" + (", expected one" if wanted else ", expected none")
            )
    if want.followups is not None and got["customer_messages"] < want.followups:
        problems.append(
            f"{got['customer_messages']} customer messages joined, expected {want.followups}+"
        )
    return [f"{got['number']}: {p}" for p in problems]


def created_since(
    engine: Engine, baseline: dict[str, int], sessions: Iterable[str] | None = None
) -> Created:
    """Orders, leads, support cases and appointments created after ``baseline`` ids (or by
    these conversations)."""
    params: dict[str, Any]
    lead_params: dict[str, Any]
    with engine.connect() as conn:
        if sessions is None:
            where, params = "o.id > :after", {"after": baseline.get("orders", 0)}
            lead_where, lead_params = "id > :after", {"after": baseline.get("lead", 0)}
            case_params: dict[str, Any] = {"after": baseline.get("support_case", 0)}
            visit_params: dict[str, Any] = {"after": baseline.get("appointment", 0)}
            case_where = visit_where = "id > :after"
        else:
            sids = sorted(sessions) or ["-"]
            where, params = "o.created_by IN :actors", {"actors": [f"chat:{s}" for s in sids]}
            lead_where, lead_params = "session_id IN :sids", {"sids": sids}
            case_where = visit_where = "session_id IN :sids"
            case_params = visit_params = {"sids": sids}
        orders = _rows(conn, ORDER_SELECT + f"WHERE {where} ORDER BY o.id", **params)
        created = Created()
        created.orders = [_order_dict(conn, o) for o in orders]
        created.leads = [
            {"id": r.id, "reason": r.reason, "status": r.status}
            for r in _rows(
                conn, f"SELECT id, reason, status FROM lead WHERE {lead_where}", **lead_params
            )
        ]
        created.cases = [
            _case_dict(conn, r)
            for r in _rows(
                conn, f"SELECT * FROM support_case WHERE {case_where} ORDER BY id", **case_params
            )  # fmt: skip
        ]
        created.appointments = [
            {"id": r.id, "number": r.number, "service": r.service, "status": r.status}
            for r in _rows(
                conn,
                "SELECT id, number, service, status FROM appointment "
                f"WHERE {visit_where} ORDER BY id",
                **visit_params,
            )  # fmt: skip
        ]
        return created


def trace_writes(trace: Iterable[dict[str, Any]]) -> Counter[str]:
    """The successful write-tool calls of a conversation, by their essential arguments."""
    return Counter(
        write_signature(str(step["tool"]), step.get("args") or {})
        for step in trace
        if step.get("ok") and step.get("tool") in WRITE_TOOLS_KEYS
    )


def write_signature(tool: str, args: dict[str, Any]) -> str:
    """``create_reservation sku=X quantity=4`` (defaults filled in as the tool would)."""
    defaults: dict[str, Any] = {"quantity": 4} if tool == "create_reservation" else {}
    parts = [tool]
    for key in WRITE_TOOLS_KEYS.get(tool, ()):
        value = args.get(key, defaults.get(key))
        parts.append(f"{key}={str(value).strip().upper() if key == 'sku' else value}")
    return " ".join(parts)


def _line_problems(want: LineExpect, got: dict[str, Any], resolver: Resolver) -> list[str]:
    problems = []
    if got["quantity"] != want.quantity:
        problems.append(f"quantity {got['quantity']} instead of {want.quantity}")
    if want.brand and got["brand"].casefold() != want.brand.casefold():
        problems.append(f"brand {got['brand']} instead of {want.brand}")
    if want.size and parse_tire_size(got["size"]).canonical != parse_tire_size(want.size).canonical:
        problems.append(f"size {got['size']} instead of {want.size}")
    if want.sku is not None:
        ref = as_ref(want.sku)
        sku = str(resolver.raw(ref) if ref is not None else want.sku)
        if got["sku"].upper() != sku.upper():
            problems.append(f"SKU {got['sku']} instead of {sku}")
    if (
        want.max_unit_price_cents is not None
        and got["unit_price_cents"] > want.max_unit_price_cents
    ):
        problems.append(f"unit price {got['unit_price_cents']} above {want.max_unit_price_cents}")
    return problems


def _invoice_problems(want: InvoiceExpect | bool, got: dict[str, Any] | None) -> list[str]:
    if isinstance(want, bool):
        if want and got is None:
            return ["no invoice data recorded"]
        return ["invoice data recorded"] if not want and got is not None else []
    if got is None:
        return ["no invoice data recorded"]
    return [
        f"invoice {name} {got[name]} instead of {value}"
        for name, value in want.model_dump(exclude_none=True).items()
        if str(got[name]).strip().upper() != str(value).strip().upper()
    ]


def _fulfillment_problems(want: OrderExpect, got: dict[str, Any]) -> list[str]:
    problems = []
    if want.fulfillment and got["fulfillment"] != want.fulfillment:
        problems.append(f"fulfillment {got['fulfillment']} instead of {want.fulfillment}")
    day: date | None = got["fulfillment_day"]
    if want.pickup_date is not None and want.pickup_date != (day is not None):
        problems.append("pickup date " + ("missing" if want.pickup_date else "not asked for"))
    if want.fulfillment_day is not None and want.fulfillment_day != (day is not None):
        problems.append(
            "fulfilment day " + ("missing" if want.fulfillment_day else "not asked for")
        )
    if want.fulfillment_weekday is not None and (
        day is None or day.weekday() != want.fulfillment_weekday
    ):
        shown = "none" if day is None else f"{day.isoformat()} (weekday {day.weekday()})"
        problems.append(f"fulfilment day {shown} instead of weekday {want.fulfillment_weekday}")
    window = got["fulfillment_window"]
    if want.fulfillment_window is not None and window != want.fulfillment_window.value:
        problems.append(f"time window {window} instead of {want.fulfillment_window.value}")
    address = bool(got["fulfillment_address"])
    if want.fulfillment_address is not None and want.fulfillment_address != address:
        problems.append("address " + ("missing" if want.fulfillment_address else "not asked for"))
    return problems


def order_problems(want: OrderExpect, got: dict[str, Any], resolver: Resolver) -> list[str]:
    """Why an order is not the expected one (empty when it is). For an existing order (named
    by folio) only the fields the task gives are checked, not the defaults of a new one."""
    named = want.model_fields_set if want.folio is not None else None

    def asked(name: str) -> bool:
        return named is None or name in named

    problems = []
    if asked("status") and got["status"] != want.status:
        problems.append(f"status {got['status']} instead of {want.status}")
    if want.branch and got["branch"] != want.branch:
        problems.append(f"branch {got['branch']} instead of {want.branch}")
    problems += _fulfillment_problems(want, got)
    if want.lines is not None:
        if len(got["lines"]) != len(want.lines):
            problems.append(f"{len(got['lines'])} lines instead of {len(want.lines)}")
        else:
            for w, g in zip(want.lines, got["lines"], strict=True):
                problems += _line_problems(w, g, resolver)
    units = sum(line["quantity"] for line in got["lines"])
    if asked("stock_held") and want.stock_held and want.held_units is None and got["held"] != units:
        problems.append(f"{got['held']} units held for {units} ordered")
    if want.held_units is not None and got["held"] != want.held_units:
        problems.append(f"{got['held']} units held instead of {want.held_units}")
    if asked("payment_link") and want.payment_link and not got["payment_links"]:
        problems.append("no payment link")
    if want.pending_links is not None and got["pending_links"] != want.pending_links:
        problems.append(f"{got['pending_links']} payable links instead of {want.pending_links}")
    if want.invoice is not None:
        problems += _invoice_problems(want.invoice, got["invoice"])
    if want.discounted is not None and want.discounted != (got["discount_cents"] > 0):
        problems.append("discount " + ("missing" if want.discounted else "not expected"))
    return [f"{got['folio']}: {p}" for p in problems] if got.get("folio") else problems


def orders_from_actions(actions: Iterable[Action], resolver: Resolver) -> list[OrderExpect]:
    """What the reference reservations mean, independent of the tool that writes them.

    The replay goes through the same tools as the agent, so a tool that writes the wrong thing
    would agree with itself; these expectations come from the reference arguments alone.
    """
    out = []
    for action in actions:
        if action.tool != "create_reservation":
            continue
        args = resolver.args(action.args)
        out.append(OrderExpect(
            branch=args.get("branch_code"), fulfillment=args.get("fulfillment"),
            lines=[LineExpect(quantity=int(args.get("quantity", 4)), sku=str(args["sku"]))],
        ))  # fmt: skip
    return out


def released(order: dict[str, Any]) -> bool:
    """A cancelled order that holds nothing and takes no payment (e.g. a replaced reservation)."""
    return order["status"] == "cancelled" and not order["held"] and not order["pending_links"]


def orders_problems(
    wanted: list[OrderExpect],
    created: list[dict[str, Any]],
    resolver: Resolver,
    *,
    existing: Callable[[str], dict[str, Any] | None] | None = None,
    ignore_released: bool = False,
) -> list[str]:
    """Exactly the expected new orders, each matched to a distinct created order; and the
    expected end state of existing orders named by folio (read with ``existing``)."""
    problems: list[str] = []
    new = [w for w in wanted if w.folio is None]
    for want in (w for w in wanted if w.folio is not None):
        ref = as_ref(want.folio)
        folio = str(resolver.raw(ref) if ref is not None else want.folio)
        if existing is None:
            continue  # over HTTP without the server's database: not visible
        got = existing(folio)
        if got is None:
            problems.append(f"no order {folio}")
        else:
            problems += order_problems(want, got, resolver)
    left = [o for o in created if not (ignore_released and released(o))]
    if len(left) != len(new):
        return [*problems, f"{len(left)} orders created, expected {len(new)}"]
    for want in new:
        scored = [(order_problems(want, got, resolver), i) for i, got in enumerate(left)]
        best, index = min(scored, key=lambda s: len(s[0]))
        problems += best
        left.pop(index)
    return problems


def _trace_line(conn: Connection, sku: str, quantity: int) -> dict[str, Any] | None:
    row = conn.execute(
        sa.text("SELECT brand, size, price_cents, iva_bp FROM product WHERE sku = :s"), {"s": sku}
    ).first()
    if row is None:
        return None
    return {"sku": sku, "brand": row.brand, "size": row.size, "quantity": quantity,
            "unit_price_cents": with_iva(row.price_cents, row.iva_bp), "net": row.price_cents}  # fmt: skip


def _trace_reserve(conn: Connection, order: dict[str, Any] | None, args: dict[str, Any],
                   folio: str | None, discount_bp: int) -> dict[str, Any] | None:  # fmt: skip
    """The order after a create or change of the one open reservation (None: unknown SKU)."""
    before = order["lines"][0] if order else None
    sku = str(args.get("sku") or (before["sku"] if before else "")).strip().upper()
    quantity = int(args.get("quantity") or (before["quantity"] if before else 4))
    line = _trace_line(conn, sku, quantity)
    if line is None:
        return order
    amounts = price_line(line.pop("net"), quantity, discount_bp)
    base = order or {
        "folio": folio, "status": "reserved", "branch": args.get("branch_code"),
        "fulfillment": args.get("fulfillment") or "pickup",
        "fulfillment_day": _day(args.get("pickup_date")), "fulfillment_window": None,
        "fulfillment_address": None, "notes": "", "deposit_cents": 0, "paid_cents": 0,
        "payment_links": 0, "pending_links": 0, "invoice": None,
    }  # fmt: skip
    return {**base, "folio": base["folio"] or folio, "discount_cents": amounts.discount_cents,
            "total_cents": amounts.total_cents, "balance_cents": amounts.total_cents,
            "after_deposit_cents": amounts.total_cents,
            "held_until_day": None, "held": quantity,
            "payment_links": base["payment_links"] + 1, "pending_links": 1, "lines": [line]}  # fmt: skip


CASE_OPENERS = frozenset({"open_support_case", "handoff_to_human"})
CASE_NUMBER = re.compile(r"\bCS-\d{6}\b")


def _trace_case(created: Created, reply: str) -> None:
    """A case number the reply names after a tool that opens cases: a case, unless it is one
    already seen (a later message joined it)."""
    seen = {c["number"] for c in created.cases}
    for number in dict.fromkeys(CASE_NUMBER.findall(reply)):
        if number not in seen:
            created.cases.append({"number": number})


def created_from_trace(
    turns: Iterable[TurnRecord], engine: Engine, *, discount_bp: int = 0
) -> Created:
    """What the trace says was created (HTTP without database access): an approximation.

    The product comes from the local copy of the demo catalogue, the folio from the reply;
    a successful reservation is taken to hold its stock and to have one payable link; a
    change or a cancellation applies to the conversation's newest reservation; fulfilment and
    invoice data are taken from the tools' arguments.
    """
    created = Created()
    with engine.connect() as conn:
        for turn in turns:
            found = FOLIO.search(turn.reply)
            folio = found[0] if found else None
            for step in turn.trace:
                args: dict[str, Any] = dict(step.get("args") or {})  # type: ignore[call-overload]
                tool = step.get("tool")
                if not step.get("ok"):
                    continue
                if tool == "handoff_to_human":
                    created.leads.append({"reason": args.get("reason", ""), "status": "new"})
                if tool in CASE_OPENERS:
                    _trace_case(created, turn.reply)
                last = created.orders[-1] if created.orders else None
                is_open = last is not None and last["status"] == "reserved"
                if tool == "create_reservation" or (tool == "change_reservation" and is_open):
                    order = _trace_reserve(conn, last if is_open else None, args, folio,
                                           discount_bp)  # fmt: skip
                    if order is not None and is_open:
                        created.orders[-1] = order
                    elif order is not None:
                        created.orders.append(order)
                elif tool == "cancel_reservation" and is_open and last is not None:
                    last.update(status="cancelled", held=0, pending_links=0)
                elif tool == "set_fulfillment" and last is not None:
                    last.update(
                        fulfillment=args.get("mode", last["fulfillment"]),
                        fulfillment_day=_day(args.get("day")) or last["fulfillment_day"],
                        fulfillment_window=args.get("window") or last["fulfillment_window"],
                        fulfillment_address=args.get("address") or last["fulfillment_address"],
                    )
                elif tool == "request_invoice" and last is not None:
                    last["invoice"] = {k: args.get(k) for k in ("rfc", "regime", "use", "zip_code")}
    return created
