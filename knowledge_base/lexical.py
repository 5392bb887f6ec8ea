"""The lexical ranking: TF-IDF over word and character n-grams of slang-normalised text."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy.sparse import hstack  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.preprocessing import normalize as l2_normalize  # type: ignore[import-untyped]

from adapters.llm.offline.nlu.normalize import normalize

# What customers call things the guides name otherwise; the guides' words are added to the
# question (never replace it). The temporary spare is "la delgadita" or "la de emergencia" in
# chat, "galleta" or "refacción temporal" in the guides.
_LAY_TERMS = (
    (re.compile(r"\b(?:delgadita|galletita|de emergencia|llanta chiquita)\b", re.I),
     "galleta refacción temporal"),
)  # fmt: skip


def with_lay_terms(text: str) -> str:
    """The question with the guides' words for the lay terms it uses."""
    extra = [t for p, t in _LAY_TERMS if p.search(text) and t not in text]
    return f"{text} ({'; '.join(extra)})" if extra else text


def prepare(text: str) -> str:
    """The same normaliser the NLU reads chat with: "q pex cn mi yanta" meets "llanta"."""
    return normalize(text)


def _with_heading(passage: str) -> str:
    """A passage's first line (title and heading) counted twice: it names what the chunk answers."""
    head = passage.partition("\n")[0]
    return f"{passage}\n{head}"


class LexicalIndex:
    """Cosine similarity of TF-IDF vectors; word n-grams catch terms, char n-grams typos."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        prepared = [prepare(_with_heading(t)) for t in texts]
        self._word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        self._char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1
        )
        if self.ids:
            self._matrix = l2_normalize(
                hstack([self._word.fit_transform(prepared), self._char.fit_transform(prepared)])
            ).tocsr()

    def rank(self, text: str, limit: int) -> list[tuple[str, float]]:
        """The best ``limit`` chunk ids with their cosine similarity, best first."""
        if not self.ids:
            return []
        query = prepare(with_lay_terms(text))
        vector = l2_normalize(
            hstack([self._word.transform([query]), self._char.transform([query])])
        )
        scores = np.asarray((self._matrix @ vector.T).todense()).ravel()
        top = np.argsort(-scores, kind="stable")[:limit]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
