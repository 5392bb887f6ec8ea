"""The bundled content searched by TF-IDF alone, without Chroma or the embedding model.

Answers in about a second from a cold start, so a server can take questions while the full
index (e5 + TF-IDF fusion, `KnowledgeBase`) builds in the background, and tests and eval runs
get deterministic, cheap retrieval. Lower recall than the fusion (see bench/kb_retrieval.py).
"""

from __future__ import annotations

import threading

from core.settings import Settings
from knowledge_base.base import bundled_content
from knowledge_base.documents import Chunk, Hit, chunk_document
from knowledge_base.facts import business_facts
from knowledge_base.lexical import LexicalIndex
from knowledge_base.loaders import load_path

_lock = threading.Lock()
_cache: dict[tuple[tuple[str, str], ...], BundledSearch] = {}


class BundledSearch:
    """TF-IDF over the bundled Markdown's chunks (business facts filled in)."""

    def __init__(self, settings: Settings) -> None:
        docs = load_path(bundled_content(), source="bundled", facts=business_facts(settings))
        self._chunks: dict[str, Chunk] = {c.id: c for d in docs for c in chunk_document(d)}
        ids = list(self._chunks)
        self._index = LexicalIndex(ids, [self._chunks[i].passage for i in ids])

    def search(self, text: str, k: int = 5) -> list[Hit]:
        """The ``k`` chunks whose words best match ``text``."""
        if not text.strip():
            return []
        hits = []
        for chunk_id, score in self._index.rank(text, k):
            c = self._chunks[chunk_id]
            hits.append(
                Hit(
                    id=c.id,
                    title=f"{c.title} — {c.section}" if c.section else c.title,
                    score=round(score, 6),
                    text=c.text,
                    topic=c.topic,
                    links=list(c.links),
                )
            )
        return hits


def bundled_search(settings: Settings) -> BundledSearch:
    """One shared instance per set of business facts (built on first use, ~1 s)."""
    key = tuple(sorted(business_facts(settings).items()))
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _cache[key] = BundledSearch(settings)
        return found
