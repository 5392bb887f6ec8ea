"""The Chroma client the settings choose: a folder under DATA_DIR, or a Chroma server."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings

from core.settings import Settings


def index_dir(settings: Settings) -> Path:
    """Where the embedded index lives."""
    return settings.data_dir / "kb"


def make_client(settings: Settings) -> ClientAPI:
    """``PersistentClient`` under DATA_DIR/kb, or ``HttpClient`` when TOPLLANTAS_KB__CHROMA_URL is set."""
    chroma = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    url = settings.kb.chroma_url
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"TOPLLANTAS_KB__CHROMA_URL {url!r} is not like http://host:8000")
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 80),
            ssl=parsed.scheme == "https",
            settings=chroma,
        )
    path = index_dir(settings)
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma)
