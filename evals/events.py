"""World events between two customer turns: staff cancel an order, the customer pays a deposit.

They happen where the task's orders live: in process on the task's own database copy (through
the ERP client and the payment provider's webhook code); over HTTP through the server's
order API with a staff key (or on ``--target-db``) and the link's public checkout page.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.erp.sql import SqlErp
from adapters.payments.base import PaymentEvent
from adapters.payments.local import build_payment_provider
from core.errors import DomainError
from db.engine import session_scope
from db.repositories.payments import apply_payment_event
from domain.enums import OrderStatus
from domain.sales import OrderUpdate
from evals.models import WorldEvent
from evals.scoring import TurnRecord
from evals.state import created_since
from evals.user_sim import FOLIO
from evals.world import World

PAY_TOKEN = re.compile(r"/pay/([A-Za-z0-9_\-]{8,})")
STAFF_ACTOR = "staff:eval"


class EventUnavailable(Exception):
    """The run cannot perform this event (a broken setup, not a failure of the agents)."""


def _newest(pattern: re.Pattern[str], turns: Sequence[TurnRecord]) -> str | None:
    for turn in reversed(turns):
        found = pattern.findall(turn.reply)
        if found:
            return str(found[-1])
    return None


@dataclass
class EventRunner:
    """Performs a task's world events against one target."""

    world: World
    baseline_ids: dict[str, int]
    engine: Engine | None  # the database the orders are in, when the run can read it
    over_http: bool = False
    client: httpx.Client | None = None
    staff_key: str | None = None

    def run(
        self, event: WorldEvent, sessions: list[str], turns: Sequence[TurnRecord]
    ) -> str | None:
        """Do the event; a reason when it could not happen because of what the agent did."""
        order = self._order(sessions, turns)
        if order is None:
            return f"{event.event}: the conversation created no order"
        order_id, folio = order
        if event.event == "staff_cancels_order":
            return self._cancel(order_id, folio)
        return self._pay(order_id, folio, turns)

    def _order(
        self, sessions: list[str], turns: Sequence[TurnRecord]
    ) -> tuple[int | None, str] | None:
        """The newest order the conversation created: (id when known, folio)."""
        if self.engine is not None:
            scope = sessions if self.over_http else None
            created = created_since(self.engine, self.baseline_ids, sessions=scope).orders
            return (int(created[-1]["id"]), str(created[-1]["folio"])) if created else None
        folio = _newest(FOLIO, turns)
        return (None, folio) if folio else None

    def _cancel(self, order_id: int | None, folio: str) -> str | None:
        if self.over_http and self.staff_key and self.client is not None:
            headers = {"Authorization": f"Bearer {self.staff_key}"}
            if order_id is None:
                listed = self.client.get("/api/v1/orders", params={"limit": 100}, headers=headers)
                listed.raise_for_status()
                order_id = next((o["id"] for o in listed.json() if o["folio"] == folio), None)
                if order_id is None:
                    return f"staff_cancels_order: the server has no order {folio}"
            answer = self.client.put(
                f"/api/v1/orders/{order_id}", json={"status": "cancelled"}, headers=headers
            )
            if answer.status_code != 200:
                return f"staff_cancels_order: {folio} answered {answer.status_code}"
            return None
        if self.engine is None or order_id is None:
            raise EventUnavailable(
                "staff_cancels_order over HTTP needs TOPLLANTAS_EVAL_STAFF_KEY or --target-db"
            )
        erp = SqlErp(
            self.engine, actor=STAFF_ACTOR, hold_hours=self.world.settings.reservation_hold_hours
        )
        try:
            erp.update_order(order_id, OrderUpdate(status=OrderStatus.CANCELLED))
        except DomainError as exc:
            return f"staff_cancels_order: {folio} could not be cancelled ({exc.message})"
        return None

    def _pay(self, order_id: int | None, folio: str, turns: Sequence[TurnRecord]) -> str | None:
        token: str | None = None
        amount = 0
        if self.engine is not None and order_id is not None:
            with self.engine.connect() as conn:
                row = conn.execute(
                    sa.text(
                        "SELECT token, amount_cents FROM payment_link WHERE order_id = :id "
                        "AND status = 'pending' AND purpose = 'deposit' ORDER BY id DESC"
                    ),
                    {"id": order_id},
                ).first()
            if row is not None:
                token, amount = str(row.token), int(row.amount_cents)
        else:
            token = _newest(PAY_TOKEN, turns)
        if token is None:
            return f"customer_pays_deposit: {folio} has no payable deposit link"
        if self.over_http:
            if self.client is None:
                raise EventUnavailable("customer_pays_deposit over HTTP needs the server")
            answer = self.client.post(f"/pay/{token}/confirm", follow_redirects=False)
            if answer.status_code not in (200, 303):
                return f"customer_pays_deposit: the checkout answered {answer.status_code}"
            return None
        assert self.engine is not None
        provider = build_payment_provider(self.world.settings)
        event = PaymentEvent(
            token=token, status="paid", provider_ref=f"eval-{secrets.token_hex(6)}",
            amount_cents=amount,
        )  # fmt: skip
        try:
            with session_scope(self.engine, write=True) as session:
                apply_payment_event(session, event, actor="provider:local", provider=provider)
        except DomainError as exc:
            return f"customer_pays_deposit: {folio} was not paid ({exc.message})"
        return None
