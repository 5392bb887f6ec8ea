"""Eval fixtures: one harness cache per test session, on the session's seeded template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from adapters.llm.offline.nlu import NLU
from core.settings import AuthSettings, Settings
from db.engine import make_engine
from evals.harness import Harness, RunConfig, TrialResult
from evals.models import load_tasks
from evals.world import with_inventory_run
from tests.conftest import ANCHOR


@pytest.fixture(scope="session")
def eval_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("evals")


@pytest.fixture(scope="session")
def eval_settings(eval_cache: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=eval_cache,
        auth=AuthSettings(secret_key="test-secret-" + "x" * 40, key_cache_seconds=0),
    )


def make_harness(settings: Settings, cache: Path, template: Path, **config: Any) -> Harness:
    """A harness on the test template (the conftest seed, anchor and history the evals use)."""
    return Harness(settings, RunConfig(cache_dir=cache, **config), template=template)


@pytest.fixture(scope="session")
def eval_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test template with one nightly inventory run, as ``topllantas eval run`` prepares
    its own (forecasts, suggestions and alerts for the staff tasks): made once per session."""
    folder = tmp_path_factory.mktemp("eval-template")
    return with_inventory_run(sqlite_template, folder / "template.db", anchor=ANCHOR)


@pytest.fixture(scope="session")
def gate_results(
    eval_settings: Settings, eval_cache: Path, eval_template: Path
) -> list[TrialResult]:
    """Every task once, in process: the CI gate's run (shared by the tests that read it)."""
    return make_harness(eval_settings, eval_cache, eval_template).run(load_tasks())


@pytest.fixture(scope="session")
def trained_model_cache(model_cache: Path, sqlite_template: Path) -> Path:
    """The intent model trained once into the run's shared cache before a live server starts:
    a server trains it in its lifespan when the cache is cold, which on a busy machine takes
    longer than ``live_server`` waits for it to start."""
    from conversation.service import vocabulary_from_db

    engine = make_engine(f"sqlite:///{sqlite_template}")
    try:
        NLU(vocabulary_from_db(engine), cache_dir=model_cache)
    finally:
        engine.dispose()
    return model_cache
