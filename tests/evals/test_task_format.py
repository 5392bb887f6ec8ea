"""The task format's newer parts: world events, per-turn and regex checks, order expectations on
fulfilment, holds, links and invoices, existing orders, several allowed agents."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from evals.models import (
    CustomerRef,
    Fact,
    Forbid,
    OrderExpect,
    RouteCheck,
    Task,
    TurnForbid,
    UserSpec,
    WorldEvent,
)
from evals.refs import Created, Resolver
from evals.scoring import TurnRecord, check_communicate, check_forbid, check_route
from evals.state import order_problems, orders_problems, released

BASE: dict[str, Any] = {"id": "fmt-task", "suite": "repair"}
CANCEL = {"event": "staff_cancels_order"}


def _task(**change: Any) -> Task:
    return Task.model_validate({**BASE, "user": {"script": ["hola", "si"]}, **change})


def test_world_events_sit_between_customer_turns_and_are_not_turns() -> None:
    spec = UserSpec.model_validate(
        {"script": ["a", CANCEL, "b", {"event": "customer_pays_deposit"}, "c"]}
    )
    assert spec.turns() == ["a", "b", "c"]
    assert spec.events_before() == {1: [WorldEvent(event="staff_cancels_order")],
                                    2: [WorldEvent(event="customer_pays_deposit")]}  # fmt: skip
    for script in ([CANCEL, "a"], ["a", CANCEL]):
        with pytest.raises(ValidationError, match="between two customer turns"):
            UserSpec.model_validate({"script": script})
    with pytest.raises(ValidationError, match="event"):
        UserSpec.model_validate({"script": ["a", {"event": "staff_sings"}, "b"]})


def test_a_task_with_events_is_judged_by_assertions_not_by_replay() -> None:
    script = {"script": ["a", CANCEL, "b"]}
    with pytest.raises(ValidationError, match="replay false"):
        Task.model_validate({**BASE, "user": script})
    task = Task.model_validate({**BASE, "user": script, "db": {"replay": False}})
    assert task.user_texts() == ["a", "b"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"communicate": [{"text": "x", "turn": 2}]}, r"turns \[2\] do not exist"),
        ({"communicate": [{"text": "x", "since": -3}]}, r"turns \[-3\] do not exist"),
        ({"route": [{"turn": 5, "agent": "sales"}]}, r"turns \[5\]"),
        ({"forbid": {"at": [{"turn": 2, "texts": ["x"]}]}}, r"turns \[2\]"),
        ({"forbid": {"at": [{"turn": 0}]}}, "needs texts or patterns"),
        ({"communicate": [{"pattern": "(unclosed"}]}, "bad regular expression"),
        ({"communicate": [{"text": "x", "turn": 0, "since": 0}]}, "not both"),
        ({"communicate": [{"text": "x", "pattern": "y"}]}, "exactly one of"),
        ({"db": {"orders": [{"status": "reserved"}]}}, "expected lines"),
        (
            {"db": {"orders": [{"lines": [{"quantity": 1}], "fulfillment_weekday": 7}]}},
            "less than or equal",
        ),
        (
            {"db": {"orders": [{"lines": [{"quantity": 1}], "fulfillment_window": "noon"}]}},
            "fulfillment_window",
        ),
    ],
)
def test_bad_checks_are_rejected_with_the_reason(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _task(**change)


def test_customer_ref_status_only_narrows_folios() -> None:
    pick = {"kind": "retail", "nth": 0, "with_orders": True}
    assert CustomerRef.model_validate({"customer": pick, "path": "last_folio", "status": ["paid"]})
    with pytest.raises(ValidationError, match="last_folio"):
        CustomerRef.model_validate({"customer": pick, "path": "phone", "status": ["paid"]})


def _turns(*replies: str, agents: tuple[str, ...] = ()) -> list[TurnRecord]:
    return [
        TurnRecord(user=f"u{i}", reply=r, agent=agents[i] if agents else "sales")
        for i, r in enumerate(replies)
    ]


class _Resolver(Resolver):
    """Resolves created-order values from a fixed Created, without a world."""

    def __init__(self, created: Created | None = None) -> None:
        self.created = created
        self._memo = {}


def test_facts_by_pattern_since_a_turn_and_any_of_computed_values() -> None:
    turns = _turns("Te aparté 4. Folio: TL-000097", "¿Algo más?", "Tu saldo es de $8,060 🙏")
    created = Created(orders=[{"folio": "TL-000097", "balance_cents": 806000}])
    resolver = _Resolver(created)
    balance = {"created": "order", "path": "balance_cents", "format": "mxn"}
    ok = [
        Fact(pattern=r"te aparte \d", turn=0),  # against the folded reply (no accents)
        Fact(any_of=[{"created": "lead", "path": "id"}, balance], since=1),
        Fact(text="¿algo mas?", since=-2),
    ]
    assert check_communicate(ok, turns, resolver).ok
    bad = [Fact(pattern="saldo", turn=0), Fact(text="TL-000097", since=1),
           Fact(any_of=[{"created": "lead", "path": "id"}])]  # fmt: skip
    check = check_communicate(bad, turns, resolver)
    assert not check.ok and check.detail.count("not said") == 3
    assert "the agent created no lead" in check.detail


def test_per_turn_forbids_look_at_their_reply_only() -> None:
    turns = _turns(
        "¿Cuál te aparto, la recomendada o la económica?", "Te aparté 4. ¿Cuál te aparto?"
    )
    forbid = Forbid(invented_prices=False, at=[
        TurnForbid(turn=-1, patterns=[r"cual te aparto"]),
        TurnForbid(turn=1, refs=[{"created": "order", "path": "folio"}], texts=["Te aparté"]),
    ])  # fmt: skip
    created = _Resolver(Created(orders=[{"folio": "TL-000001"}]))
    check = check_forbid(forbid, turns, created, prices=None)  # type: ignore[arg-type]
    assert not check.ok
    assert check.detail.count("turn 1") == 2 and "turn 0" not in check.detail


def test_a_route_check_may_allow_several_agents() -> None:
    turns = _turns("a", "b", agents=("logistics", "support"))
    check, hits = check_route([RouteCheck(turn=0, agent=["sales", "logistics"]),
                               RouteCheck(turn=1, agent=["sales", "logistics"])], turns)  # fmt: skip
    assert hits == 1 and "support instead of sales or logistics" in check.detail


def _order(**change: Any) -> dict[str, Any]:
    base = {
        "id": 1, "folio": "TL-000097", "status": "reserved", "branch": "CDMX",
        "fulfillment": "delivery", "fulfillment_day": date(2026, 12, 5), "fulfillment_window": "morning",
        "fulfillment_address": "Durazno 45", "discount_cents": 0, "total_cents": 856000,
        "deposit_cents": 50000, "paid_cents": 0, "held": 4, "payment_links": 2, "pending_links": 1,
        "invoice": {"rfc": "GOMJ850315H76", "regime": "612", "use": "G03", "zip_code": "06700"},
        "lines": [{"sku": "CON-PC6-1856515", "brand": "Continental", "size": "185/65R15",
                   "quantity": 4, "unit_price_cents": 214000}],
    }  # fmt: skip
    return {**base, **change}


def test_order_expectations_on_fulfilment_holds_links_and_invoice() -> None:
    resolver = _Resolver()
    want = OrderExpect.model_validate({
        "lines": [{"quantity": 4, "brand": "Continental"}], "fulfillment": "delivery",
        "fulfillment_weekday": 5, "fulfillment_window": "morning", "fulfillment_address": True,
        "held_units": 4, "pending_links": 1,
        "invoice": {"rfc": "gomj850315h76", "regime": "612", "use": "G03", "zip_code": "06700"},
    })  # fmt: skip
    assert order_problems(want, _order(), resolver) == []
    got = _order(fulfillment_day=date(2026, 12, 4), fulfillment_window="afternoon",
                 fulfillment_address=None, pending_links=2, held=6, invoice=None)  # fmt: skip
    problems = " ".join(order_problems(want, got, resolver))
    for reason in ("weekday 4", "time window afternoon", "address missing", "2 payable links",
                   "6 units held instead of 4", "no invoice data"):  # fmt: skip
        assert reason in problems, problems
    no_invoice = OrderExpect.model_validate({"lines": [{"quantity": 4}], "invoice": False})
    assert "invoice data recorded" in " ".join(order_problems(no_invoice, _order(), resolver))


def test_replaced_reservations_can_be_ignored_and_existing_orders_are_checked_by_folio() -> None:
    resolver = _Resolver()
    old = _order(folio="TL-000097", status="cancelled", held=0, pending_links=0)
    new = _order(folio="TL-000098", held=2, lines=[{**_order()["lines"][0], "quantity": 2}])
    assert released(old) and not released(new)
    want = [
        OrderExpect.model_validate(
            {"lines": [{"quantity": 2}], "held_units": 2, "pending_links": 1}
        )
    ]
    assert orders_problems(want, [old, new], resolver) == ["2 orders created, expected 1"]
    assert orders_problems(want, [old, new], resolver, ignore_released=True) == []
    leaked = _order(status="cancelled", held=4, pending_links=0)  # a hold never released
    assert orders_problems(want, [leaked, new], resolver, ignore_released=True)
    existing = [OrderExpect.model_validate({"folio": "TL-000009", "fulfillment": "pickup"})]
    seen = {"TL-000009": _order(folio="TL-000009", fulfillment="pickup", payment_links=0)}
    assert orders_problems(existing, [], resolver, existing=seen.get) == []
    moved = {"TL-000009": _order(folio="TL-000009")}
    assert "fulfillment delivery instead of pickup" in " ".join(
        orders_problems(existing, [], resolver, existing=moved.get)
    )
    assert orders_problems(existing, [], resolver, existing=lambda _: None) == [
        "no order TL-000009"
    ]
