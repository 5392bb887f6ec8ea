"""The sign-in link's e-mail lookup: exact, case-insensitive, never a LIKE pattern."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.repositories.web_sessions import staff_by_email
from db.tables import StaffMember


def test_the_email_lookup_takes_wildcards_as_text(engine: Engine) -> None:
    with session_scope(engine, write=True) as session:
        session.add(StaffMember(name="Ana Pérez", email="ana@topllantas.mx"))
        session.add(StaffMember(name="Luis_Rey", email="luis_rey@topllantas.mx"))
        session.add(StaffMember(name="Baja", email="baja@topllantas.mx", active=False))
    with session_scope(engine) as session:
        found = staff_by_email(session, "  ANA@TopLlantas.mx ")
        assert found is not None and found.name == "Ana Pérez"
        for pattern in ("%@topllantas.mx", "ana@%", "_na@topllantas.mx", "%", "luis%", ""):
            assert staff_by_email(session, pattern) is None, pattern
        assert staff_by_email(session, "luisxrey@topllantas.mx") is None  # "_" is not any char
        luis = staff_by_email(session, "LUIS_REY@topllantas.mx")
        assert luis is not None and luis.name == "Luis_Rey"
        assert staff_by_email(session, "baja@topllantas.mx") is None  # inactive
