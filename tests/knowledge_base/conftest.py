"""Knowledge-base fixtures: one e5 model per session, and one index of the bundled content."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import Settings
from knowledge_base import KnowledgeBase
from knowledge_base.embeddings import E5Embedding


@pytest.fixture(scope="session")
def e5() -> E5Embedding:
    return E5Embedding()


@pytest.fixture(scope="session")
def bundled_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kb-bundled")


@pytest.fixture(scope="session")
def bundled_kb(bundled_dir: Path, e5: E5Embedding) -> KnowledgeBase:
    """The shipped documents indexed once (about a minute on two cores)."""
    kb = KnowledgeBase(Settings(data_dir=bundled_dir), embedding=e5)
    kb.ensure_ready()
    return kb


@pytest.fixture
def empty_kb(tmp_path: Path, e5: E5Embedding) -> KnowledgeBase:
    """A knowledge base in a fresh folder that holds only what a test ingests."""
    return KnowledgeBase(Settings(data_dir=tmp_path / "data"), embedding=e5, include_bundled=False)
