"""World events between turns: staff cancel an order, the customer pays the deposit; in process
on the task's copy and over HTTP through the order API and the link's checkout."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.app import create_app
from core.settings import Settings
from domain.enums import Role
from evals.events import EventRunner, EventUnavailable
from evals.models import CustomerRef, Persona, ToolRef, WorldEvent, load_tasks
from evals.refs import Resolver, task_refs
from evals.scoring import TurnRecord
from evals.state import created_since
from evals.world import World, tool_registry
from tests.live_server import live_server
from tools.base import ToolContext, run_tool

SKU = "LIN-HP010-1856515"  # in stock at every branch of the demo data
CANCEL = WorldEvent(event="staff_cancels_order")
PAY = WorldEvent(event="customer_pays_deposit")


def _reserve(ctx: ToolContext) -> dict[str, object]:
    content, ok = run_tool(tool_registry()["create_reservation"], {"sku": SKU, "quantity": 4}, ctx)
    assert ok, content
    order: dict[str, object] = json.loads(content)["order"]
    return order


@pytest.fixture
def world(eval_settings: Settings, sqlite_template: Path, tmp_path: Path) -> Iterator[World]:
    made = World.create(sqlite_template, tmp_path, eval_settings, Persona(), phone_salt="",
                        task_id="events")  # fmt: skip
    yield made
    made.close()


def test_in_process_the_customer_pays_and_staff_cancel_on_the_tasks_copy(world: World) -> None:
    baseline = world.max_ids()
    runner = EventRunner(world, baseline, world.engine)
    assert runner.run(PAY, [], []) == "customer_pays_deposit: the conversation created no order"
    _reserve(world.context("chat-a"))
    assert runner.run(PAY, [], []) is None
    [paid] = created_since(world.engine, baseline).orders
    assert (paid["status"], paid["paid_cents"], paid["held"]) == ("paid", 50000, 4)
    assert paid["balance_cents"] == paid["total_cents"] - 50000
    assert runner.run(CANCEL, [], []) is None
    [cancelled] = created_since(world.engine, baseline).orders
    assert (cancelled["status"], cancelled["held"], cancelled["pending_links"]) == (
        "cancelled",
        0,
        0,
    )
    assert "could not be cancelled" in str(runner.run(CANCEL, [], []))


def test_a_cancelled_reservation_leaves_the_conversation_free_to_reserve_again(
    world: World,
) -> None:
    """What the repair task needs from the tools: after staff cancel, the same chat reserves."""
    baseline = world.max_ids()
    ctx = world.context("chat-b")
    first = _reserve(ctx)
    assert EventRunner(world, baseline, world.engine).run(CANCEL, [], []) is None
    second = _reserve(ctx)
    assert second["folio"] != first["folio"]
    states = [(o["status"], o["held"]) for o in created_since(world.engine, baseline).orders]
    assert states == [("cancelled", 0), ("reserved", 4)]


def test_over_http_events_use_the_order_api_and_the_checkout(
    world: World,
    settings: Settings,
    engine: Engine,
    keys: dict[Role, str],
    trained_model_cache: Path,
) -> None:
    server_world = World(path=world.path, engine=engine, settings=settings, role="customer")
    order = _reserve(server_world.context("chat-http"))
    folio, url = str(order["folio"]), str(order["payment"]["url"])  # type: ignore[index]
    turns = [TurnRecord(user="si", reply=f"Te aparté 4. Folio: {folio}\n💳 {url}")]
    with (
        live_server(create_app(settings, engine=engine)) as base,
        httpx.Client(base_url=base) as client,
    ):
        blind = EventRunner(world, {}, None, over_http=True, client=client)
        with pytest.raises(EventUnavailable, match="TOPLLANTAS_EVAL_STAFF_KEY"):
            blind.run(CANCEL, [], turns)
        assert blind.run(PAY, [], turns) is None  # the public checkout of the link in the reply
        staff = EventRunner(world, {}, None, over_http=True, client=client,
                            staff_key=keys[Role.STAFF])  # fmt: skip
        assert staff.run(CANCEL, [], turns) is None
        listed = client.get(
            "/api/v1/orders", headers={"Authorization": f"Bearer {keys[Role.STAFF]}"}
        ).json()
    mine = next(o for o in listed if o["folio"] == folio)
    assert mine["status"] == "cancelled" and mine["paid_cents"] == 50000


def test_computed_values_are_read_on_the_fresh_copy_before_the_conversation_writes(
    world: World,
) -> None:
    held = ToolRef(
        tool="search_tires", args={"size": "185/65R15"},
        path="options.?key=economical.available_at_branch", format="int",
    )  # fmt: skip
    before = Resolver(world)
    before.prefetch([held, ToolRef(tool="search_tires", args={"size": "185/65R15"},
                                   path="options.?key=nonexistent.sku")])  # fmt: skip
    _reserve(world.context("chat-c"))
    after = Resolver(world)
    assert int(before.text(held)) == int(after.text(held)) + 4


def test_every_computed_value_of_a_task_is_found_for_prefetching() -> None:
    task = next(t for t in load_tasks(["repair"]) if t.id == "status-several-asks-which")
    refs = task_refs(task)
    assert len(refs) == 4 and any(isinstance(r, CustomerRef) for r in refs)
    nested = next(t for t in load_tasks(["repair"]) if t.id == "fix-choice-before-confirm")
    assert any(isinstance(r, ToolRef) and r.path.endswith(".sku") for r in task_refs(nested))
