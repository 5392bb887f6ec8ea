"""Shared fixtures: a seeded demo database per test (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine, make_url

from api.app import create_app
from core.settings import AuthSettings, RateLimitSettings, Settings
from db.demo.seed import seed_demo
from db.engine import make_engine, session_scope
from db.migrate import upgrade
from db.repositories.api_keys import create_key
from domain.enums import Role

ANCHOR = date(2026, 11, 20)
HISTORY_DAYS = 120
PG_URL = os.environ.get("TOPLLANTAS_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgres"] if PG_URL else [])
_counter = itertools.count()


def seeded(url: str) -> None:
    """Migrate and seed the database at ``url`` with the test demo data."""
    engine = make_engine(url)
    upgrade(engine)
    seed_demo(engine, seed=7, anchor=ANCHOR, history_days=HISTORY_DAYS)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    seeded(f"sqlite:///{path}")
    return path


def _pg_admin() -> Engine:
    assert PG_URL
    return sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def pg_database_url(name: str) -> str:
    """The configured PostgreSQL URL pointed at another database."""
    assert PG_URL
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def pg_create(name: str, template: str | None = None) -> str:
    """Create (or re-create) a database and return its URL."""
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(
            f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        )
    admin.dispose()
    return pg_database_url(name)


def pg_drop(name: str) -> None:
    """Drop a database, closing its connections."""
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("TOPLLANTAS_TEST_DATABASE_URL is not set")
    name = f"tl_template_{os.getpid()}"
    seeded(pg_create(name))
    yield name
    pg_drop(name)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    """A fresh copy of the seeded demo database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "topllantas.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"tl_test_{os.getpid()}_{next(_counter)}"
    yield pg_create(name, template)
    pg_drop(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One trained intent classifier for the whole run (training takes seconds)."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture
def settings(tmp_path: Path, db_url: str, model_cache: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        cache_dir=model_cache,
        database_url=db_url,
        auth=AuthSettings(secret_key="test-secret-" + "x" * 40, key_cache_seconds=0),
        rate_limit=RateLimitSettings(per_minute=100_000, burst=10_000),
    )


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


@pytest.fixture
def keys(engine: Engine) -> dict[Role, str]:
    """One API key per role."""
    made = {}
    with session_scope(engine, write=True) as session:
        for role in Role:
            made[role], _ = create_key(
                session, role=role.value, name=f"test-{role.value}", actor="test"
            )
    return made


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for a key or token."""
    return {"Authorization": f"Bearer {key}"}
