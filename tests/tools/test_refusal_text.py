"""Staff tools never pass an English repository message on to chat."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core.errors import Conflict, DomainError, InvalidRequest, NotFound
from tools.refusal_text import spanish

ROOT = Path(__file__).resolve().parents[2]
# The repositories whose errors tools/replenishment.py turns into chat refusals.
SOURCES = [
    "db/repositories/transfers.py",
    "db/repositories/reorder.py",
    "db/repositories/inventory_alerts.py",
    "db/repositories/forecast_queries.py",
    "db/repositories/purchasing.py",
]
ENGLISH = ("does not exist", " is ", " not ", "must ", "units", "every line", "no forecast")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            Conflict("GDL has 3 available units of MICH-205, not 10", field="quantity"),
            "En GDL solo hay 3 disponibles de MICH-205, no 10.",
        ),
        (
            Conflict("transfer TR-000004 is in_transit, not requested"),
            "El traspaso TR-000004 ya está en tránsito.",
        ),
        (Conflict("alert 7 is resolved, not open"), "La alerta 7 ya está resuelta."),
        (Conflict("reorder suggestion 3 is confirmed"), "La sugerencia 3 ya está confirmada."),
        (NotFound("transfer TR-9 does not exist", field="id"), "No encontré el traspaso TR-9."),
        (
            InvalidRequest("weeks must be between 1 and 52", field="weeks"),
            "Puedo pronosticar de 1 a 52 semanas.",
        ),
        (
            InvalidRequest("bad size '205'", field="size"),
            "No entendí la medida; escríbela como 205/55R16.",
        ),
        (
            NotFound("something new went missing"),
            "No encontré eso; revisa el folio o el nombre y me dices.",
        ),
    ],
)
def test_known_shapes_keep_their_facts_in_spanish(exc: DomainError, expected: str) -> None:
    assert spanish(exc) == expected


def _raised_messages(path: Path) -> list[tuple[type[DomainError], str]]:
    """Every literal (or f-string with sample values) message raised in a repository."""
    kinds = {"NotFound": NotFound, "Conflict": Conflict, "InvalidRequest": InvalidRequest}
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        if not (isinstance(func, ast.Name) and func.id in kinds and node.exc.args):
            continue
        arg = node.exc.args[0]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            found.append((kinds[func.id], arg.value))
        elif isinstance(arg, ast.JoinedStr):
            parts = [p.value if isinstance(p, ast.Constant) else "X1" for p in arg.values]
            found.append((kinds[func.id], "".join(str(p) for p in parts)))
    return found


def test_every_message_the_staff_repositories_raise_reads_as_spanish() -> None:
    messages = [m for source in SOURCES for m in _raised_messages(ROOT / source)]
    assert len(messages) >= 10  # the walk found the raises
    for kind, message in messages:
        text = spanish(kind(message))
        assert not any(word in text for word in ENGLISH), (message, text)
