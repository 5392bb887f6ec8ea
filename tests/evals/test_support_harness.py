"""Support cases in the harness: cases set up before a conversation, a technician persona that
works them in chat, and db criteria on the cases a task opened or worked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine

from api.app import create_app
from core.settings import Settings
from domain.enums import Role
from evals.models import CaseExpect, Task
from evals.refs import Created, Resolver
from evals.state import case_problems
from tests.evals.conftest import make_harness
from tests.live_server import live_server

BULGE = {"symptoms": "le salio un chipote a la llanta de adelante", "problem_codes": ["bulge"]}
PAOLA = {"kind": "retail", "nth": 0, "with_orders": True}


def _task(**change: Any) -> Task:
    base: dict[str, Any] = {"id": "support-fmt", "suite": "support",
                            "user": {"script": ["hola", "si"]}}  # fmt: skip
    return Task.model_validate({**base, **change})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"setup": [BULGE]}, "replay false"),
        ({"setup": [BULGE], "db": {"replay": False}}, "needs a customer persona"),
        (
            {"setup": [{**BULGE, "customer": PAOLA, "claimed_by": "me"}], "db": {"replay": False}},
            "persona's role",
        ),
        ({"setup": [{**BULGE, "problem_codes": ["wobble"]}]}, "unknown problem codes"),
        ({"db": {"case": {"problem_codes": ["wobble"]}}}, "unknown problem codes"),
        ({"db": {"case": {"status": "pending"}}}, "status"),
        ({"db": {"replay": False, "case": {"setup": 0}}}, r"setup cases \[0\] do not exist"),
        ({"vars": {"case": {"case": 1}}}, r"setup cases \[1\] do not exist"),
    ],
)
def test_bad_case_setups_and_criteria_are_rejected(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _task(**change)


def test_a_technician_task_names_its_setup_cases_and_created_ones() -> None:
    task = _task(
        persona={"role": "technician"},
        setup=[{**BULGE, "customer": PAOLA, "claimed_by": "other"}],
        vars={"case": {"case": 0}},
        db={"replay": False, "cases": 0, "case": {"setup": 0, "status": ["new", "assigned"]}},
        communicate=[{"ref": {"created": "case", "path": "number"}}],
    )
    assert task.setup[0].claimed_by == "other" and task.db.case is not None


CASE = {"number": "CS-000004", "status": "resolved", "priority": "urgent", "assignee": "abc",
        "problem_codes": ["bulge", "vibration"], "order_folio": None,
        "resolution_code": "warranty_denied", "replies": 1, "comments": 0,
        "customer_messages": 2}  # fmt: skip


class _Resolver(Resolver):
    def __init__(self) -> None:
        self.created = Created()
        self._memo = {}


@pytest.mark.parametrize(
    ("want", "problems"),
    [
        ({"problem_codes": ["bulge"], "priority": "urgent", "status": ["resolved", "closed"]}, []),
        ({"resolution_code": "warranty_denied", "replied": True, "followups": 2}, []),
        ({"assigned": True, "noted": False, "order_folio": False}, []),
        ({"problem_codes": ["puncture"]}, ["lack ['puncture']"]),
        ({"priority": "high", "status": "new"}, ["priority urgent", "status resolved"]),
        ({"order_folio": "TL-000031", "noted": True}, ["order folio None", "0 comments"]),
        ({"followups": 3, "replied": False}, ["1 replies", "2 customer messages"]),
    ],
)
def test_case_problems_name_what_differs(want: dict[str, Any], problems: list[str]) -> None:
    found = case_problems(CaseExpect.model_validate(want), CASE, _Resolver())
    assert len(found) == len(problems)
    for text, expected in zip(found, problems, strict=True):
        assert text.startswith("CS-000004: ") and expected in text


def test_another_technicians_case_is_not_the_task_technicians() -> None:
    want = CaseExpect(assigned=True)
    assert case_problems(want, CASE, _Resolver(), technician="xyz")
    assert not case_problems(want, CASE, _Resolver(), technician="abc")


def _escalation_and_technician() -> list[Task]:
    customer = Task.model_validate({
        "id": "support-harness-customer", "suite": "support",
        "persona": {"new_customer": True},
        "user": {"script": ["oigan a mi llanta le salio un chipote en el costado",
                            "si porfa que la revise un tecnico"]},
        "db": {"replay": False, "cases": 1,
               "case": {"problem_codes": ["bulge"], "priority": "urgent", "status": "new"}},
        "communicate": [{"ref": {"created": "case", "path": "number"}, "turn": 1}],
    })  # fmt: skip
    technician = Task.model_validate({
        "id": "support-harness-technician", "suite": "support",
        "persona": {"role": "technician"},
        "setup": [{**BULGE, "customer": PAOLA, "vehicle": "Aveo 2019", "with_folio": True}],
        "vars": {"case": {"case": 0}},
        "user": {"script": ["abre el {case}", "lo tomo",
                            "respondele que mañana a las 10 le marco para revisarla",
                            "cierralo, era golpe de bache, la garantia no aplica"]},
        "db": {"replay": False, "cases": 0,
               "case": {"setup": 0, "status": "resolved", "resolution_code": "warranty_denied",
                        "assigned": True, "replied": True, "order_folio": True}},
        "communicate": [{"ref": {"case": 0, "path": "customer_name"}, "turn": 0},
                        {"ref": {"case": 0, "path": "order_folio"}, "turn": 0}],
    })  # fmt: skip
    return [customer, technician]


def test_a_customer_escalation_and_a_technician_working_a_set_up_case_in_process(
    eval_settings: Settings, eval_cache: Path, sqlite_template: Path
) -> None:
    queue = Task.model_validate({
        "id": "support-harness-queue", "suite": "support", "persona": {"role": "technician"},
        "setup": [BULGE | {"customer": PAOLA}], "user": {"script": ["que casos tengo pendientes?"]},
        "db": {"replay": False, "case": {"setup": 0, "status": "new", "assigned": False}},
        "communicate": [{"ref": {"case": 0}}],
    })  # fmt: skip
    harness = make_harness(eval_settings, eval_cache, sqlite_template)
    results = harness.run([*_escalation_and_technician(), queue])
    for result in results:
        assert result.passed, (result.task_id, result.error, [c for c in result.checks if not c.ok])
    assert "CS-000001" in results[2].turns[0].reply  # the setup case, the world's first


def test_support_tasks_run_over_http_with_the_servers_database(
    settings: Settings,
    engine: Engine,
    db_url: str,
    keys: dict[Role, str],
    eval_settings: Settings,
    eval_cache: Path,
    sqlite_template: Path,
    trained_model_cache: Path,
) -> None:
    """Setup cases are opened in the server's database; the evaluator key is the technician."""
    tasks = _escalation_and_technician()
    with live_server(create_app(settings, engine=engine)) as url:
        with_db = make_harness(
            eval_settings, eval_cache, sqlite_template, target=url,
            api_key=keys[Role.EVALUATOR], target_db=db_url,
        )  # fmt: skip
        results = with_db.run(tasks)
        without_db = make_harness(eval_settings, eval_cache, sqlite_template, target=url,
                                  api_key=keys[Role.EVALUATOR])  # fmt: skip
        blind = without_db.run(tasks)
    for result in results:
        assert result.passed, (result.task_id, result.error, [c for c in result.checks if not c.ok])
    assert blind[0].passed, blind[0].checks  # the case count read from the replies
    assert blind[1].error_kind == "task" and "--target-db" in (blind[1].error or "")


def test_a_case_the_technician_did_not_close_fails_the_case_criterion(
    eval_settings: Settings, eval_cache: Path, sqlite_template: Path
) -> None:
    task = Task.model_validate({
        "id": "support-harness-untouched", "suite": "support",
        "persona": {"role": "technician"},
        "setup": [{**BULGE, "customer": PAOLA, "claimed_by": "me"}],
        "user": {"script": ["que casos tengo pendientes?"]},
        "db": {"replay": False, "case": {"setup": 0, "status": "resolved"}},
    })  # fmt: skip
    result = make_harness(eval_settings, eval_cache, sqlite_template).run([task])[0]
    db = next(c for c in result.checks if c.name == "db")
    assert not result.passed and "status assigned instead of resolved" in db.detail
