"""The e5 embedding function: the query cache returns what the model computes, bounded."""

from __future__ import annotations

import numpy as np

from knowledge_base.embeddings import E5Embedding


def test_cached_query_vectors_are_the_models_vectors(e5: E5Embedding) -> None:
    texts = ["cada cuanto se rotan las llantas", "se me prendio el foquito de la presion"]
    first = e5.embed_query(texts)
    again = e5.embed_query([texts[1], texts[0], texts[1]])  # cached, reordered, repeated
    fresh = E5Embedding().embed_query(texts)  # a new function computes them again
    assert np.allclose(again[0], fresh[1]) and np.allclose(again[1], fresh[0])
    assert np.allclose(again[2], fresh[1])
    assert np.allclose(first[0], fresh[0])
    assert not np.allclose(fresh[0], fresh[1])


def test_query_cache_keeps_only_the_most_recent(e5: E5Embedding) -> None:
    small = E5Embedding()
    small.QUERY_CACHE = 2
    small.embed_query(["uno", "dos"])
    small.embed_query(["uno"])  # "uno" is now the most recent
    small.embed_query(["tres"])
    assert list(small._queries) == ["uno", "tres"]
