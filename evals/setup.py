"""A task's setup: support cases that exist before its conversation starts.

Each case is opened the way a customer's escalation opens it, through ``open_support_case`` in
a conversation of that customer, and may already be claimed by a technician through
``claim_case`` in a technician's conversation (the task's own technician, or another one). In
process this happens on the task's database copy; over HTTP on the server's database
(``--target-db``), where the evaluator key is the task's technician.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.settings import Settings
from db.engine import session_scope
from db.repositories import cases as case_repo
from db.repositories.chat import start_session
from db.repositories.crm import customer_by_phone
from db.tables import Customer, Order
from evals.models import CaseSetup
from evals.world import EVAL_ACTOR, NEW_CUSTOMER_NAME, pick_customer, technician_key
from tools.base import ToolContext, run_tool
from tools.cases import CLAIM_CASE, OPEN_SUPPORT_CASE

OTHER_TECHNICIAN = "Técnico Ramírez (evaluación)"
SETUP_OWNER = "eval-setup"


class SetupFailed(Exception):
    """A setup case could not be opened or claimed (the task or the run is wrong)."""


@dataclass
class CaseSetupRunner:
    """Opens a task's setup cases in one database."""

    engine: Engine
    settings: Settings
    persona_phone: str | None  # the task's customer, found by phone (ids differ over HTTP)
    technician_prefix: str | None  # the task's technician's API key prefix

    def run(self, setups: Sequence[CaseSetup]) -> list[dict[str, Any]]:
        """Open every case; returns each one as a technician reads it (get_case's fields)."""
        other: str | None = None
        opened = []
        for setup in setups:
            number = self._open(setup)
            if setup.claimed_by == "me":
                if self.technician_prefix is None:
                    raise SetupFailed("claimed_by me needs a technician persona")
                self._claim(number, self.technician_prefix)
            elif setup.claimed_by == "other":
                if other is None:
                    with session_scope(self.engine, write=True) as session:
                        other = technician_key(session, OTHER_TECHNICIAN)
                self._claim(number, other)
            opened.append(self._read(number))
        return opened

    def _customer(self, session: Session, setup: CaseSetup) -> Customer:
        if setup.customer is not None:
            return pick_customer(session, setup.customer)
        if self.persona_phone is None:
            raise SetupFailed("a setup case without a customer needs a customer persona")
        # A persona is test data (evaluator keys speak only as test customers).
        return customer_by_phone(session, self.persona_phone, name=NEW_CUSTOMER_NAME,
                                 actor=EVAL_ACTOR, is_test=True)  # fmt: skip

    def _open(self, setup: CaseSetup) -> str:
        with session_scope(self.engine, write=True) as session:
            customer = self._customer(session, setup)
            folio = None
            if setup.with_folio:
                order = session.exec(
                    select(Order).where(Order.customer_id == customer.id)
                    .order_by(col(Order.id).desc())
                ).first()  # fmt: skip
                if order is None:
                    raise SetupFailed(f"customer {customer.id} has no order for with_folio")
                folio = order.folio
            chat = start_session(session, owner=SETUP_OWNER, role="customer", channel="whatsapp",
                                 customer_id=customer.id)  # fmt: skip
            customer_id, session_id = customer.id, chat.id
        ctx = ToolContext(
            engine=self.engine, settings=self.settings, session_id=session_id,
            channel="whatsapp", role="customer", customer_id=customer_id,
            transcript=[f"Cliente: {line}" for line in setup.transcript or [setup.symptoms]],
        )  # fmt: skip
        args = {
            "symptoms": setup.symptoms, "problem_codes": setup.problem_codes,
            "vehicle": setup.vehicle, "folio": folio, "dot": setup.dot,
            "priority_hint": setup.priority,
        }  # fmt: skip
        content, ok = run_tool(OPEN_SUPPORT_CASE, {k: v for k, v in args.items() if v}, ctx)
        if not ok:
            raise SetupFailed(f"open_support_case failed: {content}")
        return str(json.loads(content)["number"])

    def _claim(self, number: str, prefix: str) -> None:
        with session_scope(self.engine, write=True) as session:
            chat = start_session(session, owner=f"key:{prefix}", role="technician",
                                 channel="web", customer_id=None)  # fmt: skip
            session_id = chat.id
        ctx = ToolContext(engine=self.engine, settings=self.settings, session_id=session_id,
                          channel="web", role="technician")  # fmt: skip
        content, ok = run_tool(CLAIM_CASE, {"number": number}, ctx)
        if not ok:
            raise SetupFailed(f"claim_case {number} failed: {content}")

    def _read(self, number: str) -> dict[str, Any]:
        with session_scope(self.engine) as session:
            detail = case_repo.detail(session, case_repo.get_case(session, number))
            data: dict[str, Any] = detail.model_dump(mode="json")
        return data
