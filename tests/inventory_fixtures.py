"""A seeded demo database after one nightly inventory run (forecasts, suggestions, alerts),
made once per test session and copied for each test. A test module imports ``db_url`` from
here to replace the plain seeded copy (and the other fixtures follow it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from db.engine import make_engine
from db.inventory_job import NightlyReport, run_nightly
from tests.conftest import ANCHOR, BACKENDS, _counter, pg_create, pg_drop

NIGHTLY: dict[str, NightlyReport] = {}


def nightly(url: str) -> NightlyReport:
    engine = make_engine(url)
    try:
        return run_nightly(engine, Settings(environment="test", database_url=url), ANCHOR)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def nightly_sqlite(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nightly") / "nightly.db"
    shutil.copy(sqlite_template, path)
    NIGHTLY["sqlite"] = nightly(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def nightly_pg(pg_template: str) -> Iterator[str]:
    name = f"tl_nightly_{os.getpid()}"
    NIGHTLY["postgres"] = nightly(pg_create(name, pg_template))
    yield name
    pg_drop(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, nightly_sqlite: Path) -> Iterator[str]:
    """A fresh copy of the demo database after one nightly run."""
    if request.param == "sqlite":
        path = tmp_path / "topllantas.db"
        shutil.copy(nightly_sqlite, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("nightly_pg")
    name = f"tl_test_{os.getpid()}_{next(_counter)}"
    yield pg_create(name, template)
    pg_drop(name)
