"""Knowledge-base questions and the follow-ups that lean on them.

"¿Puedo andar toda la semana con la galleta?" is searched as written; "¿y a cuánto la inflo?"
right after it names nothing a search could find (searched alone it found the general pressure
guide). A follow-up is searched together with the question it follows, and the answer is the
passage, and the sentences of it, that speak of the follow-up's own words ("infla", not again
the whole speed-limit passage).
"""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage

from adapters.llm.offline.turn import Turn, call
from domain.text import fold_words
from domain.tool_results import KbAnswer

# How a follow-up starts: "y ...", "pero ...", "entonces ...", "o sea ...".
_LEANS_ON = re.compile(r"^\s*(?:y|pero|entonces|o sea|osea|oye|ah|y si|y como)\b")
_MAX_FOLLOW_UP_WORDS = 10
_MAX_QUERY = 300  # search_knowledge_base's limit
_FOLLOW_UP_PASSAGES = 6
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def search(turn: Turn, query: str, k: int = 2) -> AIMessage:
    """Search the knowledge base for a question of its own (a later follow-up leans on it)."""
    slots = turn.state.slots
    slots.kb_topic = query[-_MAX_QUERY:]
    slots.kb_turn = turn.state.turns
    slots.kb_follow_up = None
    return call("search_knowledge_base", query=query[-_MAX_QUERY:], k=k)


def leans_on(turn: Turn) -> bool:
    """Whether the message is a short "y ...?" right after a knowledge-base answer, with words
    of its own to look for ("¿y a cuánto la inflo?", "¿y de alineación cada cuánto?")."""
    slots = turn.state.slots
    text = turn.text.strip()
    return (
        slots.kb_topic is not None
        and slots.kb_turn == turn.state.turns - 1
        and bool(_LEANS_ON.search(text))
        and len(text.split()) <= _MAX_FOLLOW_UP_WORDS
        and bool(focus_stems(text))
    )


def follow_up(turn: Turn) -> AIMessage | None:
    """A short "y ...?" right after a knowledge-base answer: searched with the question before
    it (and it becomes the topic a next follow-up leans on, in the same words)."""
    slots = turn.state.slots
    text = turn.text.strip()
    if not leans_on(turn) or slots.kb_topic is None or not turn.can("search_knowledge_base"):
        return None
    slots.kb_follow_up = text
    slots.kb_turn = turn.state.turns
    room = _MAX_QUERY - len(text) - 1
    query = f"{slots.kb_topic[-room:]} {text}" if room > 0 else text[-_MAX_QUERY:]
    return call("search_knowledge_base", query=query, k=_FOLLOW_UP_PASSAGES)


# Words that say nothing about the topic of a follow-up; a price question ("¿y cuánto
# cuesta?") goes to the price tool, not to a passage.
_STOP = frozenset(
    str.split("""
    como cuanto cuanta cuantos cuantas cual cuales donde cuando porque para pero entonces
    tengo tiene tienen puedo puede pueden debo debe hacer hago hace esta estan esto eso esos
    esas este estos mejor despues antes todavia tambien igual nada algo mucho poco bien
    oye osea bueno sale gracias favor quiero queria saber seria sirve sirven tanto tanta
    cuesta cuestan salen precio precios costo cobran vale valen cada veces
    que por las los una uno del con mas hay voy vas van asi muy sin son ese esa mis sus tus
    """)
)


def focus_stems(text: str) -> set[str]:
    """The follow-up's own words as prefixes: "inflo" → "infl", "guardo" → "guard"."""
    stems = set()
    for word in fold_words(text).split():
        if len(word) < 3 or word in _STOP:
            continue
        stems.add(word[:5] if len(word) >= 6 else word[:4])
    return stems


def mentions(stems: set[str], text: str) -> int:
    """How many of ``stems`` start a word of ``text``."""
    words = fold_words(text).split()
    return sum(any(w.startswith(s) for w in words) for s in stems)


def answered(turn: Turn, answer: KbAnswer) -> KbAnswer:
    """What to say of a search's passages: for a follow-up, the passage that speaks of its
    words (the best-ranked of those that do), cut to the sentences that do."""
    follow = turn.state.slots.kb_follow_up
    turn.state.slots.kb_follow_up = None
    if not follow or not answer.passages:
        return answer
    stems = focus_stems(follow)
    hits, _, passage = max(
        (mentions(stems, f"{p.title} {p.text}"), -rank, p) for rank, p in enumerate(answer.passages)
    )
    if hits == 0:
        return answer
    if mentions(stems, passage.title):  # the whole passage is about it ("Reapriete a los...")
        return KbAnswer(passages=[passage])
    sentences = _SENTENCE_END.split(" ".join(passage.text.split()))
    kept = [s for s in sentences if mentions(stems, s)] or sentences
    return KbAnswer(passages=[passage.model_copy(update={"text": " ".join(kept)})])
