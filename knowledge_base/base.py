"""The knowledge base: idempotent ingestion into Chroma, and search fusing e5 with TF-IDF."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from core.settings import Settings
from domain.catalog import ProductPublic
from knowledge_base.documents import Chunk, Document, Hit, chunk_document
from knowledge_base.embeddings import KbEmbedding, build_embedding
from knowledge_base.facts import business_facts
from knowledge_base.lexical import LexicalIndex, with_lay_terms
from knowledge_base.loaders import load_path
from knowledge_base.sheets import SOURCE as CATALOG_SOURCE
from knowledge_base.sheets import product_sheets
from knowledge_base.store import make_client

Mode = Literal["fusion", "dense", "lexical"]
BUNDLED_SOURCE = "bundled"
RRF_K = 60  # the usual reciprocal-rank-fusion constant: ranks matter, raw scores do not
CANDIDATES = 30  # each ranking contributes this many candidates to the fusion
_BATCH = 32


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingestion changed."""

    source: str
    documents: int
    chunks: int
    added: int
    updated: int
    unchanged: int
    removed: int


def bundled_content() -> Path:
    """The Markdown shipped in the package (knowledge_base/content)."""
    return Path(str(resources.files("knowledge_base") / "content"))


class KnowledgeBase:
    """Search and ingestion over one Chroma collection; nothing is opened until first use.

    ``catalog`` returns the store's products: their specification sheets are (re)written at
    every bundled-content sync, so the sheets follow the catalogue and the stock. With
    ``include_bundled=False`` the index holds only what is ingested explicitly.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        embedding: KbEmbedding | None = None,
        client: ClientAPI | None = None,
        catalog: Callable[[], Iterable[ProductPublic]] | None = None,
        include_bundled: bool = True,
    ) -> None:
        self.settings = settings
        self.include_bundled = include_bundled
        self.embedding = embedding or build_embedding(settings.kb)
        self._client = client
        self._catalog = catalog
        self._collection: Collection | None = None
        self._lexical: LexicalIndex | None = None
        self._lexical_count = -1
        self._texts: dict[str, tuple[str, dict[str, Any]]] = {}
        self._ready = False

    @property
    def collection_name(self) -> str:
        return f"{self.settings.kb.collection}_{self.embedding.slug}"

    def _col(self) -> Collection:
        if self._collection is None:
            client = self._client or make_client(self.settings)
            self._client = client
            self._collection = client.get_or_create_collection(
                self.collection_name,
                embedding_function=self.embedding,  # type: ignore[arg-type]
                configuration={"hnsw": {"space": "cosine"}},
            )
        return self._collection

    # ----------------------------------------------------------------- ingestion

    def ingest(self, path: Path, *, source: str | None = None) -> IngestReport:
        """Ingest a file or folder; documents that left it since the last time leave the index.

        Chunks whose content hash is unchanged are not embedded again, so running it twice
        changes nothing. ``source`` names the collection of documents (default: the resolved path).
        """
        key = source or str(path.resolve())
        docs = load_path(path, source=key, facts=business_facts(self.settings))
        return self.sync(docs, source=key)

    def sync(self, docs: Sequence[Document], *, source: str) -> IngestReport:
        """Make the index hold exactly ``docs`` for ``source``: add, update and remove chunks."""
        col = self._col()
        chunks = [c for doc in docs for c in chunk_document(doc)]
        wanted = {c.id: c for c in chunks}
        if len(wanted) != len(chunks):
            raise ValueError(f"{source}: two documents produce the same chunk id")
        existing = col.get(where={"source": source}, include=["metadatas"])
        old_hash = {
            i: str((m or {}).get("hash", ""))
            for i, m in zip(existing["ids"], existing["metadatas"] or [], strict=False)
        }
        stale = [i for i in old_hash if i not in wanted]
        changed = [c for c in chunks if old_hash.get(c.id) != c.content_hash]
        if stale:
            col.delete(ids=stale)
        for start in range(0, len(changed), _BATCH):
            batch = changed[start : start + _BATCH]
            col.upsert(
                ids=[c.id for c in batch],
                documents=[c.passage for c in batch],
                metadatas=[_metadata(c) for c in batch],
            )
        if stale or changed:
            self._lexical = None
        added = sum(1 for c in changed if c.id not in old_hash)
        return IngestReport(
            source=source,
            documents=len(docs),
            chunks=len(chunks),
            added=added,
            updated=len(changed) - added,
            unchanged=len(chunks) - len(changed),
            removed=len(stale),
        )

    def remove(self, doc_id: str) -> int:
        """Remove every chunk of one document; returns how many there were."""
        col = self._col()
        ids = col.get(where={"doc_id": doc_id}, include=[])["ids"]
        if ids:
            col.delete(ids=ids)
            self._lexical = None
        return len(ids)

    def ensure_ready(self) -> None:
        """Ingest the bundled content (and the catalogue's sheets) when they changed or are absent.

        Cheap: once per instance, one fingerprint of the bundled files and business facts is
        compared with the one stored on the collection.
        """
        if self._ready or not self.include_bundled:
            return
        col = self._col()
        fingerprint = self._bundled_fingerprint()
        if (col.metadata or {}).get("fingerprint") != fingerprint:
            self.refresh()
            col.modify(metadata={"fingerprint": fingerprint})
        self._ready = True

    def refresh(self) -> list[IngestReport]:
        """Sync the bundled documents and, with a catalogue, the product sheets."""
        reports = [self.ingest(bundled_content(), source=BUNDLED_SOURCE)]
        if self._catalog is not None:
            reports.append(self.sync(product_sheets(self._catalog()), source=CATALOG_SOURCE))
        return reports

    def _bundled_fingerprint(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(bundled_content().rglob("*.md")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
        for key, value in sorted(business_facts(self.settings).items()):
            digest.update(f"{key}={value}".encode())
        digest.update(b"catalog" if self._catalog is not None else b"-")
        return digest.hexdigest()[:32]

    # -------------------------------------------------------------------- search

    def _lexical_index(self) -> LexicalIndex:
        col = self._col()
        count = col.count()
        if self._lexical is None or count != self._lexical_count:
            got = col.get(include=["documents", "metadatas"])
            ids = got["ids"]
            docs = got["documents"] or []
            metas = got["metadatas"] or []
            self._texts = {i: (d, dict(m or {})) for i, d, m in zip(ids, docs, metas, strict=True)}
            self._lexical = LexicalIndex(ids, docs)
            self._lexical_count = count
        return self._lexical

    def _dense(self, text: str, limit: int) -> list[tuple[str, float]]:
        col = self._col()
        n = min(limit, max(1, len(self._texts)))
        got = col.query(
            query_texts=[text],
            n_results=n,
            include=["distances"],
        )
        distances = (got["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], distances, strict=True)]

    def rank(self, text: str, *, mode: Mode = "fusion", k: int = 5) -> list[tuple[str, float]]:
        """Chunk ids with scores, best first: e5 alone, TF-IDF alone, or their fusion."""
        self.ensure_ready()
        text = with_lay_terms(text)  # for e5; the TF-IDF side adds them itself
        lexical = self._lexical_index()
        if mode == "lexical":
            return lexical.rank(text, k)
        if mode == "dense":
            return self._dense(text, k)
        fused: dict[str, float] = {}
        for ranking in (self._dense(text, CANDIDATES), lexical.rank(text, CANDIDATES)):
            for rank, (chunk_id, _) in enumerate(ranking, start=1):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
        return sorted(fused.items(), key=lambda item: -item[1])[:k]

    def search(self, text: str, k: int = 5, *, mode: Mode = "fusion") -> list[Hit]:
        """The ``k`` chunks that best answer ``text`` (Spanish, slang and typos welcome)."""
        if not text.strip():
            return []
        ranked = self.rank(text, mode=mode, k=k)
        hits = []
        for chunk_id, score in ranked:
            passage, meta = self._texts.get(chunk_id, ("", {}))
            head, _, body = passage.partition("\n")
            section = str(meta.get("section", ""))
            title = str(meta.get("title", head))
            hits.append(
                Hit(
                    id=chunk_id,
                    title=f"{title} — {section}" if section else title,
                    score=round(score, 6),
                    text=body or passage,
                    topic=str(meta.get("topic", "")),
                    links=[u for u in str(meta.get("links", "")).split(" ") if u],
                )
            )
        return hits

    def chunk_ids(self) -> list[str]:
        """Every chunk id in the index."""
        self.ensure_ready()
        return list(self._lexical_index().ids)

    def count(self) -> int:
        """How many chunks the index holds."""
        return len(self.chunk_ids())


def _metadata(chunk: Chunk) -> dict[str, str | int | float | bool]:
    return {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "topic": chunk.topic,
        "source": chunk.source,
        "hash": chunk.content_hash,
        "links": " ".join(chunk.links),
    }


def open_knowledge_base(
    settings: Settings, *, catalog: Callable[[], Iterable[ProductPublic]] | None = None
) -> KnowledgeBase:
    """The knowledge base the settings describe (nothing is loaded until the first search)."""
    return KnowledgeBase(settings, catalog=catalog)
