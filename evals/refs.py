"""Computed expectations: values read from the fresh database by a tool, a customer or a write."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session, col, select

from db.tables import Order
from domain.pricing import format_mxn
from evals.models import CaseRef, CreatedRef, CustomerRef, Format, Ref, Task, ToolRef
from evals.world import World, pick_customer

_REF = TypeAdapter(Ref)
REF_KEYS = ("tool", "created", "customer", "case")


class Unresolved(Exception):
    """A computed value that does not exist (e.g. the folio of an order never created)."""


def as_ref(value: Any) -> Ref | None:
    """``value`` read as a computed value, if it is one (a dict with tool/created/customer/case)."""
    if isinstance(value, ToolRef | CreatedRef | CustomerRef | CaseRef):
        return value
    if isinstance(value, dict) and any(k in value for k in REF_KEYS):
        try:
            return _REF.validate_python(value)
        except ValidationError as exc:
            raise ValueError(f"bad computed value {value}: {exc}") from exc
    return None


def walk(data: Any, path: str) -> Any:
    """Follow ``a.b.0.?brand=Continental.sku`` through a JSON value."""
    current = data
    for step in path.split("."):
        if step.startswith("?"):
            key, _, wanted = step[1:].partition("=")
            items = list(current.values()) if isinstance(current, dict) else list(current)
            match = [
                i
                for i in items
                if isinstance(i, dict) and str(i.get(key)).lower() == wanted.lower()
            ]
            if not match:
                raise Unresolved(f"nothing with {key}={wanted} in {_short(current)}")
            current = match[0]
        elif isinstance(current, list):
            try:
                current = current[int(step)]
            except (ValueError, IndexError) as exc:
                raise Unresolved(f"no item {step} in {_short(current)}") from exc
        elif isinstance(current, dict) and step in current and current[step] is not None:
            current = current[step]
        else:
            raise Unresolved(f"no '{step}' in {_short(current)}")
    return current


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) < 160 else text[:157] + "..."


def formatted(value: Any, fmt: Format) -> str:
    """A value as the replies would show it."""
    if fmt == "mxn":
        return format_mxn(int(value))
    if fmt == "int":
        return str(int(value))
    return str(value)


@dataclass
class Created:
    """What the agent created, for ``{"created": ...}`` values."""

    orders: list[dict[str, Any]] = field(default_factory=list)
    leads: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    appointments: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Resolver:
    """Resolves computed values against one world (results of tools are memoised)."""

    world: World
    created: Created | None = None
    _memo: dict[str, dict[str, Any]] = field(default_factory=dict)

    def prefetch(self, refs: Iterable[Ref]) -> None:
        """Compute these values now, on the fresh database, before the conversation writes to
        it (a reservation takes stock and credit: a later search could offer another tire)."""
        for ref in refs:
            if isinstance(ref, ToolRef | CustomerRef):
                try:
                    self.raw(ref)
                except Unresolved:
                    continue  # e.g. an option that does not exist: judged when it is used

    def raw(self, ref: Ref) -> Any:
        """The value, unformatted (tool results and customers' fields read once, then kept)."""
        if isinstance(ref, ToolRef):
            args = self.args(ref.args)
            key = json.dumps([ref.tool, args], sort_keys=True, default=str)
            if key not in self._memo:
                self._memo[key] = self.world.run_read_tool(ref.tool, args)
            return walk(self._memo[key], ref.path)
        if isinstance(ref, CaseRef):
            cases = self.world.setup_cases
            if ref.case >= len(cases):
                raise Unresolved(f"setup case {ref.case} was not opened ({len(cases)} were)")
            return walk(cases[ref.case], ref.path)
        if isinstance(ref, CustomerRef):
            key = ref.model_dump_json()
            if key not in self._memo:
                self._memo[key] = {"value": self._customer_value(ref)}
            return self._memo[key]["value"]
        if self.created is None:
            raise Unresolved("what the agent created is only known after the conversation")
        rows = {"order": self.created.orders, "lead": self.created.leads,
                "case": self.created.cases}[ref.created]  # fmt: skip
        if not rows:
            raise Unresolved(f"the agent created no {ref.created}")
        return walk(rows[-1], ref.path)

    def _customer_value(self, ref: CustomerRef) -> Any:
        """A demo customer's field (or its newest folio), read from the database."""
        with Session(self.world.engine) as session:
            customer = pick_customer(session, ref.customer)
            if ref.path == "last_folio":
                query = select(Order).where(Order.customer_id == customer.id)
                if ref.status is not None:
                    query = query.where(col(Order.status).in_(ref.status))
                order = session.exec(query.order_by(col(Order.id).desc())).first()
                if order is None:
                    which = f" in {ref.status}" if ref.status else ""
                    raise Unresolved(f"customer {customer.id} has no orders{which}")
                return order.folio
            return getattr(customer, ref.path)

    def text(self, ref: Ref) -> str:
        """The value as the replies would show it."""
        return formatted(self.raw(ref), ref.format)

    def args(self, args: dict[str, Any]) -> dict[str, Any]:
        """Arguments with any computed values in them resolved."""
        out: dict[str, Any] = {}
        for key, value in args.items():
            if isinstance(value, list):
                out[key] = [self._value(v) for v in value]
            else:
                out[key] = self._value(value)
        return out

    def _value(self, value: Any) -> Any:
        ref = as_ref(value)
        return self.raw(ref) if ref is not None else value


def task_refs(task: Task) -> list[Ref]:
    """Every computed value a task names (facts, forbids, vars, expected orders, actions)."""
    refs: list[Ref] = list(task.vars.values()) + list(task.forbid.refs)
    for fact in task.communicate:
        refs += [fact.ref] if fact.ref is not None else []
        refs += [o for o in fact.any_of or [] if not isinstance(o, str)]
    refs += [r for at in task.forbid.at for r in at.refs]
    values: list[Any] = [a.args for a in task.actions]
    if task.db.case is not None:
        values.append(task.db.case.order_folio)
    for order in task.db.orders or []:
        values.append(order.folio)
        values += [line.sku for line in order.lines or []]
    while values:
        value = values.pop()
        if isinstance(value, dict) and as_ref(value) is None:
            values += list(value.values())
        elif isinstance(value, list):
            values += value
        else:
            known = ToolRef | CustomerRef | CreatedRef | CaseRef
            ref = value if isinstance(value, known) else as_ref(value)
            refs += [ref] if ref is not None else []
    return refs
